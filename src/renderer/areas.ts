/** The console's areas, in navigation order. Alt+1…9 jumps to the nth, Alt+0 to Settings. */
export const AREAS = [
  {
    id: 'instances',
    label: 'Instances',
    empty:
      'No n8n instances yet. Each instance you connect (dev, staging, prod) will be listed here with its health and last sync.',
  },
  {
    id: 'workflows',
    label: 'Workflows',
    empty: 'No workflows yet. Workflows appear here once an instance has been connected and synced.',
  },
  {
    id: 'drafts',
    label: 'Drafts',
    empty: 'No drafts yet. Workflows edited offline wait here until they are pushed to n8n.',
  },
  {
    id: 'mappings',
    label: 'Mappings',
    empty: 'No mappings yet. A mapping routes one of your events to an n8n workflow webhook.',
  },
  {
    id: 'executions',
    label: 'Executions',
    empty: 'No executions yet. Runs dispatched from here and runs synced from n8n will stream in live.',
  },
  {
    id: 'queue',
    label: 'Queue',
    empty: 'Nothing queued yet. Runs wait here before they reach n8n.',
  },
  {
    id: 'approvals',
    label: 'Approvals',
    empty: 'Nothing waiting for a decision. Runs that need a human will collect here.',
  },
  {
    id: 'schedules',
    label: 'Schedules',
    empty: 'No schedules yet. Scheduled runs and every tick they fired or missed will be listed here.',
  },
  {
    id: 'metrics',
    label: 'Metrics',
    empty: 'No data to chart yet. Throughput, error rates and percentiles appear once runs have been recorded.',
  },
  {
    id: 'backups',
    label: 'Backups',
    empty: 'No backups yet. One-file backups of everything local, and their restores, will be listed here.',
  },
  {
    id: 'audit',
    label: 'Audit log',
    empty: 'Nothing recorded yet. Every operator action and automatic decision, in every area, is kept here.',
  },
  {
    id: 'templates',
    label: 'Templates',
    empty: 'Starter kits: an n8n workflow, its mapping and (for reports) a schedule, installed in one step.',
  },
  { id: 'settings', label: 'Settings', empty: '' },
  // Team mode only (Nav hides it otherwise): accounts, sessions and personal API tokens.
  { id: 'team', label: 'Team', empty: '' },
] as const;

export type AreaId = (typeof AREAS)[number]['id'];

export const isAreaId = (value: string): value is AreaId => AREAS.some((a) => a.id === value);
