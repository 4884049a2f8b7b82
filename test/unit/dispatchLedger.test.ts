import { DispatchLedger } from '../../nodes/Soku/policy/dispatchLedger';

const xa = { platform: 'x', accountId: 'xa' };
const xb = { platform: 'x', accountId: 'xb' };

describe('dispatch ledger: per target, from each answer', () => {
	test('failed only, one account: failed and resendable; succeeded: accepted with the id', () => {
		const ledger = new DispatchLedger(['x', 'tiktok']);
		ledger.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['TikTok'], succeededPlatforms: ['x'], postSubmissionId: 'p1' });
		expect(ledger.resendable()).toEqual(['tiktok']);
		expect(ledger.deliveries()).toEqual([{ platform: 'x', attempt: 1, postSubmissionId: 'p1' }]);
		ledger.accepted(['tiktok'], 2, 'p2');
		expect(ledger.complete()).toBe(true);
		expect(ledger.postSubmissionIds()).toEqual(['p1', 'p2']);
	});

	test('a platform in both lists is unknown, one account or several; never resent', () => {
		const one = new DispatchLedger(['x', 'threads']);
		one.dispatchFailed(['x', 'threads'], 1, { failedPlatforms: ['x'], succeededPlatforms: ['x', 'threads'] });
		expect(one.resendable()).toEqual([]);
		expect(one.unknown()).toEqual([{ platform: 'x', accountId: null }]);
		expect(one.failedPlatforms()).toEqual(['x']);
		expect(one.succeededPlatforms()).toEqual(['threads']);
		const two = new DispatchLedger([xa, xb]);
		two.dispatchFailed([xa, xb], 1, { failedPlatforms: ['x'] });
		expect(two.unknown()).toEqual([{ platform: 'x', accountId: 'xa' }, { platform: 'x', accountId: 'xb' }]);
	});

	test('a missing list: only failedPlatforms → the others accepted; only succeededPlatforms or none → the others unknown', () => {
		const failedOnly = new DispatchLedger(['x', 'tiktok']);
		failedOnly.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok'] });
		expect(failedOnly.stateOf('x')).toBe('accepted');
		const succeededOnly = new DispatchLedger(['x', 'tiktok']);
		succeededOnly.dispatchFailed(['x', 'tiktok'], 1, { succeededPlatforms: ['x'] });
		expect(succeededOnly.stateOf('tiktok')).toBe('unknown');
		const none = new DispatchLedger(['x']);
		none.dispatchFailed(['x'], 1, {});
		expect(none.stateOf('x')).toBe('unknown');
		// Both lists sent, a target in neither: Soku did not say.
		const neither = new DispatchLedger(['x', 'tiktok', 'threads']);
		neither.dispatchFailed(['x', 'tiktok', 'threads'], 1, { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		expect(neither.stateOf('threads')).toBe('unknown');
	});

	test('unknown or odd names in the lists change nothing; twitter is x', () => {
		const ledger = new DispatchLedger(['x', 'tiktok']);
		ledger.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok', 'myspace', 7], succeededPlatforms: ['Twitter', 'friendster'] });
		expect(ledger.stateOf('x')).toBe('accepted');
		expect(ledger.resendable()).toEqual(['tiktok']);
	});

	test('giving up: open targets become unknown after an answer that may have acted, failed after one that did not', () => {
		const lost = new DispatchLedger(['x', 'tiktok']);
		lost.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		lost.gaveUp(['tiktok'], true);
		expect(lost.stateOf('tiktok')).toBe('unknown');
		const refused = new DispatchLedger(['x', 'tiktok']);
		refused.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		refused.gaveUp(['tiktok'], false);
		expect(refused.stateOf('tiktok')).toBe('failed');
	});

	test('an accepted target stays accepted whatever a later answer says', () => {
		const ledger = new DispatchLedger(['x']);
		ledger.accepted(['x'], 1, 'p1');
		ledger.dispatchFailed(['x'], 2, { failedPlatforms: ['x'] });
		ledger.gaveUp(['x'], true);
		expect(ledger.deliveries()).toEqual([{ platform: 'x', attempt: 1, postSubmissionId: 'p1' }]);
	});

	test('a failure known only from a replayed answer that this run did not settle ends unknown; a fresh one stays failed', () => {
		const replayed = new DispatchLedger(['x', 'tiktok']);
		replayed.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] }, true);
		expect(replayed.resendable()).toEqual(['tiktok']);
		replayed.close();
		expect(replayed.stateOf('tiktok')).toBe('unknown');
		const fresh = new DispatchLedger(['x', 'tiktok']);
		fresh.dispatchFailed(['x', 'tiktok'], 1, { failedPlatforms: ['tiktok'], succeededPlatforms: ['x'] });
		fresh.close();
		expect(fresh.stateOf('tiktok')).toBe('failed');
	});
});
