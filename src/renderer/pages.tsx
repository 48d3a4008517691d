import type { ComponentType } from 'react';
import type { AreaId } from './areas';
import { SettingsPage } from './features/settings/SettingsPage';
import { MetricsPage } from './features/metrics/MetricsPage';

/**
 * The page of each area that has one. An area without an entry shows its empty state.
 * Each feature adds one line here and keeps everything else in features/<area>/.
 */
export const PAGES: Partial<Record<AreaId, ComponentType>> = {
  settings: SettingsPage,
  metrics: MetricsPage,
};
