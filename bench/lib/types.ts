export interface Row {
	/** Stable key (e.g. "vsHttpRequest"), used by the README table; rows without one are not in the README. */
	id?: string;
	scenario: string;
	/** What was measured, human readable (with units). */
	measured: string;
	baseline: string;
	/** The two measured figures behind `ratio`, as numbers, in `unit`. */
	measuredValue?: number | null;
	baselineValue?: number | null;
	unit?: string;
	/** measured / baseline (or the scenario's own ratio); null when there is no ratio. */
	ratio: number | null;
	/** e.g. "≤ 1.15×". */
	target: string;
	/** true/false, or null for informational rows without a target. */
	pass: boolean | null;
	note?: string;
	/** README only: short label and one sentence on what the ratio means to a user (with this run's numbers). */
	readme?: { label: string; meaning: string };
}

export interface ScenarioResult {
	name: string;
	rows: Row[];
	/** Every raw number the rows were computed from. */
	raw: Record<string, unknown>;
	durationMs?: number;
	error?: string;
}
