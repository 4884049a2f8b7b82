/**
 * The engine-level part of the generated answer-space suite (issue 19; the send-loop part with 2,000 runs
 * is test/unit/answer-space.property.test.ts): fast-check picks how the stand-in answers where Soku's docs
 * are silent (dispatch_failed list style, replay header, which accounts fail delivery, faults after or
 * before storing), the items and their targets; each scenario runs through n8n's engine twice (a re-run).
 * Checks: every item on exactly one output with pairedItem; no account receives a post twice; Success
 * lists exactly the accounts that have the post; a dispatch_failed report claims only delivered accounts
 * and calls failed only undelivered ones (on a re-run against a Soku that does not mark replays, a replayed
 * "failed" may be stale: README, Never twice). FC_SEED re-runs a seed; FC_ENGINE_RUNS changes the size (25).
 */
import fc from 'fast-check';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { engineOutputNames, runSoku } from '../helpers/engine';
import { useFakeRuntime, type FakeRuntime } from '../helpers/fakeRuntime';
import { allItems, demoCredentials, pairedIndexes } from '../helpers/items';
import { startStandIn, type SokuStandIn } from '../stand-in/soku-stand-in';

const RUNS = Number(process.env.FC_ENGINE_RUNS ?? 25);
const SEED = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

const TARGETS: Array<[string, string]> = [
	['x', 'x_primary'],
	['x', 'x_alt'],
	['threads', ''],
	['tiktok', ''],
];
const ACCOUNT: Record<string, string> = { x_primary: 'x_primary', x_alt: 'x_alt', threads: 'threads_main', tiktok: 'tt_open_id_main' };
const accountOf = ([platform, accountId]: [string, string]) => ACCOUNT[accountId || platform];

const scenario = fc.record({
	items: fc.array(fc.subarray(TARGETS, { minLength: 1 }), { minLength: 1, maxLength: 3 }),
	dispatchLists: fc.constantFrom('exclusive' as const, 'overlap' as const, 'failedOnly' as const, 'succeededOnly' as const),
	replayHeader: fc.constantFrom('onReplay' as const, 'always' as const, 'never' as const),
	failAccounts: fc.subarray(['x_primary', 'x_alt', 'threads_main', 'tt_open_id_main']),
	faultRate: fc.constantFrom(0, 0.2, 0.4),
	faultSeed: fc.integer({ min: 1, max: 1_000_000 }),
});

let fake: FakeRuntime;
let s: SokuStandIn;
beforeAll(async () => {
	fake = useFakeRuntime();
	s = await startStandIn({ clock: fake.clock });
});
afterAll(async () => {
	fake.restore();
	await s.close();
});

const parametersFor = (targets: Array<[string, string]>): INodeParameters => ({
	resource: 'post',
	operation: 'create',
	mediaType: 'video',
	videoUrl: 'https://cdn.example.com/v.mp4',
	text: '={{ $json.text }}',
	targets: { target: targets.map(([platform, accountId]) => ({ platform, accountId })) },
	retry: { initialDelaySeconds: 1, maxDelaySeconds: 2 },
});

test(`the engine over the stand-in's answer options: ${RUNS} generated scenarios, each run twice`, async () => {
	const started = Date.now();
	let executions = 0;
	// eslint-disable-next-line no-console
	console.log(`answer-space (engine): seed ${SEED} (re-run with FC_SEED=${SEED}), ${RUNS} scenarios`);
	await fc.assert(
		fc.asyncProperty(scenario, async (sc) => {
			s.reset();
			const user = s.state.users.user_demo;
			user.integrations.x = ['x_primary', 'x_alt'];
			user.failDispatch = {};
			user.failDispatchAccounts = Object.fromEntries(sc.failAccounts.map((a) => [a, 1]));
			s.configureAnswers({ dispatchLists: sc.dispatchLists, replayHeader: sc.replayHeader });
			if (sc.faultRate) s.faults({ rate: sc.faultRate, kinds: ['500', '429', 'drop-after', 'drop-before'], seed: sc.faultSeed, match: { method: 'POST', path: '/v1/posts' } });
			for (let round = 0; round < 2; round++) {
				for (const [i, targets] of sc.items.entries()) {
					const parameters = parametersFor(targets);
					const result = await runSoku({ parameters, items: [{ text: `post ${i}` }], credentials: demoCredentials(s.url), executionId: `space-${++executions}` });
					expect(result.error).toBeUndefined();
					expect(pairedIndexes(result.outputs)).toEqual([0]);
					const names = engineOutputNames(parameters);
					const [{ output, item }] = allItems(result.outputs);
					const delivered = (account: string) => s.state.deliveries.filter((d) => d.text === `post ${i}` && d.accountId === account).length;
					for (const t of targets) expect(delivered(accountOf(t))).toBeLessThanOrEqual(1);
					if (names[output] === 'Success') {
						for (const t of targets) expect(delivered(accountOf(t))).toBe(1);
						const platforms = (item.json.platforms as IDataObject[]).map((p) => `${String(p.platform)}|${String(p.accountId ?? '')}`);
						expect(new Set(platforms)).toEqual(new Set(targets.map(([p, a]) => `${p}|${a}`)));
						if (sc.replayHeader === 'never') expect(item.json.replayed === true).toBe(false);
						continue;
					}
					const error = (item as INodeExecutionData).json.sokuError as IDataObject;
					if (error.code !== 'dispatch_failed') continue;
					const details = error.details as IDataObject;
					const accepted = new Set(((details.deliveries ?? []) as IDataObject[]).map((d) => `${String(d.platform)}|${String(d.accountId ?? '')}`));
					const unknown = new Set(((details.ambiguousAccounts ?? []) as IDataObject[]).map((d) => `${String(d.platform)}|${String(d.accountId ?? '')}`));
					for (const t of targets) {
						const id = `${t[0]}|${t[1]}`;
						if (accepted.has(id)) expect(delivered(accountOf(t))).toBe(1);
						// A re-run gets the first run's answers replayed; unmarked (replayHeader 'never'), a replayed
						// "failed" cannot be told from a fresh one, and the first run's retry may have delivered it since.
						else if (!unknown.has(id) && !(round === 1 && sc.replayHeader === 'never')) expect(delivered(accountOf(t))).toBe(0);
					}
				}
			}
			s.faults(null as never);
		}),
		{ seed: SEED, numRuns: RUNS },
	);
	// eslint-disable-next-line no-console
	console.log(`answer-space (engine): ${RUNS} scenarios, ${executions} executions in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
});
