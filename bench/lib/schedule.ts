/**
 * The slow-transcriptions scenario's reference times (bench/scenarios/slowTranscriptions.ts), as a pure
 * function so its unit test can check it against the closed forms.
 */

/**
 * When the last of n requests is answered, with `parallel` in flight, each answered d after it is sent and
 * counted by Soku when it answers (as the stand-in does), at most `limit` counted per sliding window of w.
 * knowsCountingPoint: the client knows that, and that the next answer takes d too, so it sends once the
 * request's answer falls after the window frees (the omniscient minimum). Otherwise it keeps each slot
 * until its answer + w, as the node's pacing does: the next request might be counted on arrival and be
 * answered at once. Requests go in order to the first free of `parallel` slots, as runPool hands them out.
 */
export function scheduleMs(n: number, limit: number, w: number, d: number, parallel: number, knowsCountingPoint: boolean): number {
	const free = Array.from({ length: Math.max(1, parallel) }, () => 0);
	// Every request's answer (= count) time, in order: a constant latency keeps them sorted.
	const answers: number[] = [];
	for (let i = 0; i < n; i++) {
		const slot = free.indexOf(Math.min(...free));
		let start = free[slot];
		if (answers.length >= limit) {
			const windowFrees = answers[answers.length - limit] + w;
			start = Math.max(start, knowsCountingPoint ? windowFrees - d : windowFrees);
		}
		answers.push(start + d);
		free[slot] = start + d;
	}
	return answers.length ? answers[answers.length - 1] : 0;
}
