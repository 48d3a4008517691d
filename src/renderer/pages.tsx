import type { ComponentType } from 'react';
import type { AreaId } from './areas';
import { BackupsPage } from './features/backups/BackupsPage';
import { DraftsPage } from './features/drafts/DraftsPage';
import { MappingsPage } from './features/mappings/MappingsPage';
import { SettingsPage } from './features/settings/SettingsPage';

/**
 * The page of each area that has one. An area without an entry shows its empty state.
 * Each feature adds one line here and keeps everything else in features/<area>/.
 */
export const PAGES: Partial<Record<AreaId, ComponentType>> = {
  mappings: MappingsPage,
  backups: BackupsPage,
  drafts: DraftsPage,
  settings: SettingsPage,
};
