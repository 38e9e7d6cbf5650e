import { stopOnSignals } from '@clinicult/kit';
import { loadAuditConfig } from './config.js';
import { startAuditService } from './service.js';

const service = await startAuditService(loadAuditConfig());
stopOnSignals(service);
