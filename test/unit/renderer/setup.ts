// The DOM tests wait on conditions (findBy…, waitFor). Testing Library's default deadline of 1 s is
// shorter than a busy CI machine takes to render a screen after a click, so the waits get 10 s: the
// waits still end as soon as the condition holds, and nothing here asserts a duration.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 10_000 });
