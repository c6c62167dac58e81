// `convoy recover`'s text (electron/cli/commands/recover.ts): one row per service in an environment, and
// under a Kubernetes service one indented row per object it wrote or meant to write, with that object's
// own state, live and earlier resourceVersion and journal mark.
import { describe, expect, it } from 'vitest';
import { interruptedText, objectTable } from '../../../electron/cli/commands/recover.js';
import type { InterruptedRelease, RecoveredObject } from '../../../shared/contract/recover.js';

const version = (resourceVersion: string, release: string) => ({ exists: true, resourceVersion, generation: 1, release });

const OBJECT: RecoveredObject = {
  environment: 'staging', service: 'orders-api', wave: 0, image: 'shop/orders-api:new',
  before: { revision: '3', image: 'shop/orders-api:old', state: 'ready' }, live: { revision: '3', image: 'shop/orders-api:old', state: 'ready' },
  journal: 'intent-only', state: 'not-started', message: 'staging/orders-api: as it was before the release',
  resources: [
    { object: 'Service shop/orders-api', journal: 'applied', before: version('10', 'rel-6'), written: version('20', 'rel-7'), live: version('20', 'rel-7'), state: 'applied-healthy', message: 'carries this release and is ready' },
    { object: 'Deployment shop/orders-api', journal: 'intent-only', before: version('11', 'rel-6'), written: null, live: version('11', 'rel-6'), state: 'not-started', message: 'unchanged' },
  ],
};

describe('convoy recover text', () => {
  it('nests each Kubernetes object under its service, with its own state and journal', () => {
    expect(objectTable([OBJECT]).split('\n')).toEqual([
      '  OBJECT                        WAVE  STATE            LIVE NOW                     BEFORE THE RELEASE   JOURNAL',
      '  staging/orders-api            1     not-started      shop/orders-api:old (ready)  shop/orders-api:old  intent-only',
      '    Service shop/orders-api           applied-healthy  resourceVersion 20           resourceVersion 10   applied',
      '    Deployment shop/orders-api        not-started      resourceVersion 11           resourceVersion 11   intent-only',
    ]);
  });

  it('lists the open steps and the choice', () => {
    const release: InterruptedRelease = {
      releaseId: 'rel-7', workspace: '/w', target: 'staging', environment: 'staging', lastStage: 'staging:waves', commit: null, createdAt: '2026-12-05T00:00:00.000Z',
      owner: null, reason: 'its process is gone', openSteps: [{ kind: 'target.applyObject', target: 'staging/orders-api', object: 'Deployment shop/orders-api' }], objects: [OBJECT],
    };
    const text = interruptedText(release);
    expect(text).toContain('may or may not have happened (intent, no result): target.applyObject staging/orders-api (Deployment shop/orders-api)');
    expect(text).toContain('    Deployment shop/orders-api        not-started');
    expect(text).toContain('choose: convoy recover rel-7 --resume   or   convoy recover rel-7 --rollback');
  });
});
