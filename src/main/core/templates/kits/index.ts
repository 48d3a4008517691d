import type { TemplateKit } from '../kit';
import { approvalGatedWebhook } from './approval-gated-webhook';
import { failureAlert } from './failure-alert';
import { flightdeckApproval } from './flightdeck-approval';
import { scheduledReport } from './scheduled-report';

/** Every starter kit, in the order the Templates screen lists them. */
export const KITS: readonly TemplateKit[] = [approvalGatedWebhook, failureAlert, scheduledReport, flightdeckApproval];
