/**
 * The Soku stand-in (plain JS under test/), loaded at run time from its real path so the compiled bench
 * does not need a copy. Types come from its .d.ts.
 */
import type * as StandInModule from '../../test/stand-in/soku-stand-in';
import { STAND_IN_PATH } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const standIn = require(STAND_IN_PATH) as typeof StandInModule;
export type { SokuStandIn, StandInOptions } from '../../test/stand-in/soku-stand-in';

export const DEMO_KEY = 'sk_live_demo_active_0000000000000000';
