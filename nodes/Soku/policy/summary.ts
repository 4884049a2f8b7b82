/**
 * What the policy did during one node run, as the sentence shown in the output pane (execution hint):
 * e.g. "4 items waited out rate limits for 38 s in total; 1 retried after internal_error; 2 routed to
 * missing_integrations".
 */
import type { ItemOutcome } from './sendWithPolicy';

const items = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
const seconds = (ms: number) => `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;

function count(map: Map<string, number>, key: string): void {
	map.set(key, (map.get(key) ?? 0) + 1);
}

/** The execution hint of a dry run: how many items would have been sent (each is on Success with its request). */
export function dryRunHint(wouldHaveBeenSent: number): string {
	return `Dry run: ${items(wouldHaveBeenSent)} would have been sent; nothing was sent`;
}

export class RunSummary {
	private replayedItems = 0;
	private rateLimitedItems = 0;
	private rateLimitWaitedMs = 0;
	private pacedItems = 0;
	private pacedMs = 0;
	private readonly retriedAfter = new Map<string, number>();
	private readonly routedTo = new Map<string, number>();

	/** @param done what Soku does with the requests of this operation ("published" for posts). */
	constructor(private readonly done = 'accepted') {}

	add(outcome: ItemOutcome): void {
		if (outcome.replayedByEarlierRun) this.replayedItems++;
		if (outcome.rateLimitWaits > 0) {
			this.rateLimitedItems++;
			this.rateLimitWaitedMs += outcome.rateLimitWaitedMs;
		}
		if (outcome.pacedMs > 0) {
			this.pacedItems++;
			this.pacedMs += outcome.pacedMs;
		}
		for (const code of new Set(outcome.retriedCodes)) if (code !== 'rate_limit_exceeded') count(this.retriedAfter, code);
		if (!outcome.ok && outcome.error) count(this.routedTo, outcome.error.code);
	}

	/** The sentence, or nothing when every item went straight through. */
	message(): string | undefined {
		const parts: string[] = [];
		if (this.replayedItems) {
			const were = this.replayedItems === 1 ? 'was' : 'were';
			parts.push(`${items(this.replayedItems)} ${were} already ${this.done} by an earlier run; nothing was sent twice`);
		}
		if (this.pacedItems) parts.push(`${items(this.pacedItems)} paced for ${seconds(this.pacedMs)} to stay under Soku's rate limit`);
		if (this.rateLimitedItems) {
			parts.push(`${items(this.rateLimitedItems)} waited out rate limits for ${seconds(this.rateLimitWaitedMs)} in total`);
		}
		for (const [code, n] of this.retriedAfter) parts.push(`${n} retried after ${code}`);
		for (const [code, n] of this.routedTo) parts.push(`${n} routed to ${code}`);
		return parts.length ? `Soku: ${parts.join('; ')}` : undefined;
	}

	hints(retryOnFailIsOn: boolean): string[] {
		const hints: string[] = [];
		const message = this.message();
		if (message) hints.push(message);
		if (retryOnFailIsOn) {
			hints.push(
				'"Retry On Fail" is on in this node\'s settings. The Soku node already retries each item by its error code; n8n\'s setting re-runs the whole node (idempotency keys stop double posts, but it wastes time). Consider turning it off.',
			);
		}
		return hints;
	}
}
