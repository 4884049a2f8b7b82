/**
 * Per item, per target (platform + account): what Soku's answers say about delivery. Soku reports
 * dispatch results per *platform*, in two lists that its docs do not promise to be complete or disjoint,
 * so every target is accepted, failed or unknown, and only a target that certainly failed and certainly
 * did not receive the post may be resent. The send loop asks this ledger what to resend; the Success item
 * and the dispatch_failed report are both read from it, so they cannot disagree.
 * Pure: no I/O, no clock.
 */
import type { IDataObject } from 'n8n-workflow';

export type Target = string | { platform?: unknown; accountId?: unknown };

export type TargetState = 'accepted' | 'failed' | 'unknown';

export interface PlatformDelivery {
	platform: string;
	accountId?: string;
	/** 1 = the first request; higher = a dispatch_failed retry round. */
	attempt: number;
	/** null: unknown (Soku's dispatch_failed answer names no postSubmissionId). */
	postSubmissionId: string | null;
}

/** A target whose delivery Soku's answers cannot settle: the node never resends to it. */
export interface AmbiguousTarget {
	platform: string;
	accountId: string | null;
}

interface Entry {
	target: Target;
	platform: string;
	accountId: string | null;
	state: TargetState | 'pending';
	attempt: number;
	postSubmissionId: string | null;
	/** Failed according to a replayed answer: an earlier run may have delivered it since (its own retry). */
	stale?: boolean;
}

// Soku accepts `twitter` as an alias of `x` (REFERENCE §4.1); an answer may name either.
const ALIASES: Readonly<Record<string, string>> = { twitter: 'x' };

export const platformName = (target: Target): string => {
	const name = String(typeof target === 'string' ? target : (target.platform ?? '')).trim().toLowerCase();
	return ALIASES[name] ?? name;
};

const accountOf = (target: Target): string | null =>
	typeof target !== 'string' && typeof target.accountId === 'string' && target.accountId ? target.accountId : null;

/** A list Soku sent (lower-cased names), or undefined when the field is missing or not a list. */
function listOf(value: unknown): Set<string> | undefined {
	if (!Array.isArray(value)) return undefined;
	return new Set(value.filter((p) => typeof p === 'string').map((p) => platformName(p)));
}

const sameTarget = (a: Target, b: Target) => platformName(a) === platformName(b) && accountOf(a) === accountOf(b);

export class DispatchLedger {
	private readonly entries: Entry[];
	private readonly ids: string[] = [];

	constructor(targets: readonly Target[]) {
		this.entries = targets.map((target) => ({
			target,
			platform: platformName(target),
			accountId: accountOf(target),
			state: 'pending',
			attempt: 0,
			postSubmissionId: null,
		}));
	}

	private entriesOf(requestTargets: readonly Target[]): Entry[] {
		return this.entries.filter((e) => requestTargets.some((t) => sameTarget(t, e.target)));
	}

	private noteId(id: unknown): string | null {
		if (typeof id !== 'string' || !id) return null;
		if (!this.ids.includes(id)) this.ids.push(id);
		return id;
	}

	/** A 2xx for a request: every target of it was accepted. */
	accepted(requestTargets: readonly Target[], round: number, postSubmissionId: unknown): void {
		const id = this.noteId(postSubmissionId);
		for (const e of this.entriesOf(requestTargets)) {
			if (e.state === 'accepted') continue;
			Object.assign(e, { state: 'accepted', attempt: round, postSubmissionId: id });
		}
	}

	/**
	 * A dispatch_failed answer to a request: the post exists. Per platform of the request:
	 * - only in failedPlatforms, one account in the request → failed (certainly not delivered);
	 * - only in failedPlatforms, several accounts → unknown (Soku names platforms, not accounts);
	 * - only in succeededPlatforms → accepted;
	 * - in both lists → unknown (some account may have it);
	 * - in neither: accepted when only failedPlatforms was sent (the post was created and the failures
	 *   named), unknown otherwise (Soku did not say).
	 */
	dispatchFailed(requestTargets: readonly Target[], round: number, details: IDataObject, replayed = false): void {
		const failed = listOf(details.failedPlatforms);
		const succeeded = listOf(details.succeededPlatforms);
		const id = this.noteId(details.postSubmissionId);
		const inRequest = this.entriesOf(requestTargets);
		for (const e of inRequest) {
			if (e.state === 'accepted') continue;
			const isFailed = failed?.has(e.platform) ?? false;
			const isSucceeded = succeeded?.has(e.platform) ?? false;
			const accounts = inRequest.filter((o) => o.platform === e.platform).length;
			let state: TargetState;
			if (isFailed && isSucceeded) state = 'unknown';
			else if (isFailed) state = accounts === 1 ? 'failed' : 'unknown';
			else if (isSucceeded) state = 'accepted';
			else state = failed !== undefined && succeeded === undefined ? 'accepted' : 'unknown';
			Object.assign(e, { state, attempt: round, postSubmissionId: state === 'accepted' ? id : null, stale: state === 'failed' && replayed });
		}
	}

	/**
	 * The item ends here: a failure known only from a replayed answer (Idempotent-Replayed: true) that this
	 * run did not settle may have been delivered by the earlier run's retry round, so it is unknown.
	 */
	close(): void {
		for (const e of this.entries) if (e.state === 'failed' && e.stale) e.state = 'unknown';
	}

	/**
	 * The last answer to a request was an error other than dispatch_failed and the node gives up: its
	 * targets that were still open become unknown when that answer may have acted (lost answer, 5xx),
	 * and stay failed otherwise (4xx, 429: Soku did not act).
	 */
	gaveUp(requestTargets: readonly Target[], mayHaveActed: boolean): void {
		for (const e of this.entriesOf(requestTargets)) {
			if (e.state === 'pending' || (mayHaveActed && e.state === 'failed')) e.state = mayHaveActed ? 'unknown' : 'failed';
		}
	}

	/** The targets that certainly failed and certainly did not get the post: the only ones that may be resent. */
	resendable(): Target[] {
		return this.entries.filter((e) => e.state === 'failed').map((e) => e.target);
	}

	/** Every target accepted: the item is a success. */
	complete(): boolean {
		return this.entries.every((e) => e.state === 'accepted');
	}

	stateOf(target: Target): TargetState | 'pending' | undefined {
		return this.entries.find((e) => sameTarget(e.target, target))?.state;
	}

	/** Accepted targets in request order, with the attempt that got each accepted. */
	deliveries(): PlatformDelivery[] {
		return this.entries
			.filter((e) => e.state === 'accepted')
			.map((e) => {
				const d: PlatformDelivery = { platform: e.platform, attempt: e.attempt, postSubmissionId: e.postSubmissionId };
				if (e.accountId) d.accountId = e.accountId;
				return d;
			});
	}

	/** Targets nobody can say were delivered or not. */
	unknown(): AmbiguousTarget[] {
		return this.entries.filter((e) => e.state === 'unknown').map((e) => ({ platform: e.platform, accountId: e.accountId }));
	}

	/** Platforms with a target not known to be accepted (failed or unknown), in request order. */
	failedPlatforms(): string[] {
		return [...new Set(this.entries.filter((e) => e.state !== 'accepted').map((e) => e.platform))];
	}

	/** Platforms whose every target was accepted, in request order. */
	succeededPlatforms(): string[] {
		const notDone = new Set(this.failedPlatforms());
		return [...new Set(this.entries.filter((e) => e.state === 'accepted' && !notDone.has(e.platform)).map((e) => e.platform))];
	}

	postSubmissionIds(): string[] {
		return [...this.ids];
	}
}
