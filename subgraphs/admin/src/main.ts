import { stopOnSignals } from '@clinicult/kit';
import { loadAdminConfig } from './config.js';
import { startAdminService } from './service.js';

const service = await startAdminService(loadAdminConfig());
stopOnSignals(service);
