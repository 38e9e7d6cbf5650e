import { stopOnSignals } from '@clinicult/kit';
import { loadVisitsConfig } from './config.js';
import { startVisitsService } from './service.js';

const service = await startVisitsService(loadVisitsConfig());
stopOnSignals(service);
