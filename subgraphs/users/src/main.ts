import { stopOnSignals } from '@clinicult/kit';
import { loadUsersConfig } from './config.js';
import { startUsersService } from './service.js';

const service = await startUsersService(loadUsersConfig());
stopOnSignals(service);
