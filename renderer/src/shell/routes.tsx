// The console's screens, one per feature folder. The address says which screen (and which
// environment or run): #/workspace, #/affected, #/build, #/environments/<name>, #/release[/<id>],
// #/history/<runId>.
// Hash addresses work both from file:// in Electron and over `convoy serve`, with no server routes.
// A new screen is its folder under features/ plus one entry here.
import type { ReactElement } from 'react';
import { AffectedScreen } from '../features/affected/AffectedScreen.js';
import { BuildScreen } from '../features/build/BuildScreen.js';
import { EnvironmentScreen } from '../features/environment/EnvironmentScreen.js';
import { HistoryScreen } from '../features/history/HistoryScreen.js';
import { ReleaseScreen } from '../features/release/ReleaseScreen.js';
import { WorkspaceScreen } from '../features/workspace/WorkspaceScreen.js';

export interface Screen {
  /** The first path segment, and the nav link. */
  path: string;
  label: string;
  element: ReactElement;
  /** Paths below it with parameters, e.g. `:runId`. */
  children?: string[];
}

export const screens: Screen[] = [
  { path: 'workspace', label: 'Workspace', element: <WorkspaceScreen /> },
  { path: 'affected', label: 'Affected', element: <AffectedScreen /> },
  { path: 'build', label: 'Build and test', element: <BuildScreen /> },
  { path: 'environments', label: 'Environments', element: <EnvironmentScreen />, children: [':environment'] },
  { path: 'release', label: 'Release', element: <ReleaseScreen />, children: [':releaseId'] },
  { path: 'history', label: 'History', element: <HistoryScreen />, children: [':runId'] },
];

export const HOME = '/workspace';
