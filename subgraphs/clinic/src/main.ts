import { stopOnSignals } from '@clinicult/kit';
import { loadClinicConfig } from './config.js';
import { startClinicService } from './service.js';

const service = await startClinicService(loadClinicConfig());
stopOnSignals(service);
