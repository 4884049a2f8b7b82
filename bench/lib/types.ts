export interface Row {
	scenario: string;
	/** What was measured, human readable (with units). */
	measured: string;
	baseline: string;
	/** measured / baseline (or the scenario's own ratio); null when there is no ratio. */
	ratio: number | null;
	/** e.g. "≤ 1.15×". */
	target: string;
	/** true/false, or null for informational rows without a target. */
	pass: boolean | null;
	note?: string;
}

export interface ScenarioResult {
	name: string;
	rows: Row[];
	/** Every raw number the rows were computed from. */
	raw: Record<string, unknown>;
	durationMs?: number;
	error?: string;
}
