import { stopOnSignals } from '@clinicult/kit';
import { loadAuthConfig } from './config.js';
import { startAuthService } from './service.js';

const service = await startAuthService(loadAuthConfig());
stopOnSignals(service);
