// @vitest-environment jsdom
// The Release screen's registry table (renderer/src/features/release/PushesTable.tsx): one row per
// service and registry with its repository, digest, outcome (attempts when retried, the cause when it
// failed) and environments; nothing for a release without registries.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushReport } from '../../../shared/release-report.js';
import { PushesTable } from '../../../renderer/src/features/release/PushesTable.js';

afterEach(cleanup);

const push = (over: Partial<PushReport>): PushReport => ({
  service: 'orders-api',
  image: 'shop/orders-api:3f9c',
  registry: '127.0.0.1:5000/convoy',
  repository: '127.0.0.1:5000/convoy/shop/orders-api',
  environments: ['staging', 'prod'],
  outcome: 'pushed',
  digest: `sha256:${'a'.repeat(64)}`,
  attempts: 1,
  error: null,
  ...over,
});

describe('registry pushes on the Release screen', () => {
  it('shows each push with its digest, outcome and environments', () => {
    render(
      <PushesTable
        pushes={[
          push({ attempts: 2 }),
          push({ service: 'storefront', repository: '127.0.0.1:5000/convoy/shop/storefront', outcome: 'present', attempts: 0 }),
          push({ service: 'catalog-api', outcome: 'failed', digest: null, error: { code: 'IMAGE_PUSH_FAILED', message: 'push of x to registry y failed: 401' } }),
        ]}
      />,
    );
    const orders = screen.getByTestId('release-push-orders-api');
    expect(orders.textContent).toContain('127.0.0.1:5000/convoy/shop/orders-api');
    expect(orders.textContent).toContain('pushed (2 attempts)');
    expect(orders.textContent).toContain('staging, prod');
    expect(screen.getByTestId('release-push-storefront').textContent).toContain('already there');
    expect(screen.getByTestId('release-push-catalog-api').textContent).toContain('push of x to registry y failed: 401');
  });

  it('shows nothing without registries', () => {
    render(<PushesTable pushes={[]} />);
    expect(screen.queryByTestId('release-pushes')).toBeNull();
  });
});
