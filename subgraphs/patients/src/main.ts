import { stopOnSignals } from '@clinicult/kit';
import { loadPatientsConfig } from './config.js';
import { startPatientsService } from './service.js';

const service = await startPatientsService(loadPatientsConfig());
stopOnSignals(service);
