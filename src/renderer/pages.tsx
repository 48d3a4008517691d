import type { ComponentType } from 'react';
import type { AreaId } from './areas';
import { ApprovalsPage } from './features/approvals/ApprovalsPage';
import { BackupsPage } from './features/backups/BackupsPage';
import { DraftsPage } from './features/drafts/DraftsPage';
import { MappingsPage } from './features/mappings/MappingsPage';
import { SettingsPage } from './features/settings/SettingsPage';
import { SchedulesPage } from './features/schedules/SchedulesPage';
import { InstancesPage } from './features/instances/InstancesPage';
import { WorkflowsPage } from './features/workflows/WorkflowsPage';
import { ExecutionsPage } from './features/executions/ExecutionsPage';
import { MetricsPage } from './features/metrics/MetricsPage';
import { QueuePage } from './features/queue/QueuePage';
import { TeamPage } from './features/team/TeamPage';
import { AuditPage } from './features/audit/AuditPage';
import { TemplatesPage } from './features/templates/TemplatesPage';

/**
 * The page of each area that has one. An area without an entry shows its empty state.
 * Each feature adds one line here and keeps everything else in features/<area>/.
 */
export const PAGES: Partial<Record<AreaId, ComponentType>> = {
  mappings: MappingsPage,
  approvals: ApprovalsPage,
  backups: BackupsPage,
  drafts: DraftsPage,
  settings: SettingsPage,
  schedules: SchedulesPage,
  instances: InstancesPage,
  workflows: WorkflowsPage,
  executions: ExecutionsPage,
  metrics: MetricsPage,
  queue: QueuePage,
  team: TeamPage,
  audit: AuditPage,
  templates: TemplatesPage,
};
