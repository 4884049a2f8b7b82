import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { OperationId } from '../errors/errorTable';
import type { ItemOutcome } from '../policy/sendWithPolicy';
import type { SokuRequest } from '../transport';

export interface BuildContext {
	/** Clock of the run (injectable), for checks such as "scheduledTime is in the future". */
	now: number;
	timeZone: string;
}

/**
 * One Soku operation: its parameters and how an input item becomes a request and a response becomes
 * output items. Pairing, routing, retries and errors are the shared executor's job, not the operation's.
 */
export interface SokuOperation {
	id: OperationId;
	resource: string;
	operation: string;
	/** Label in the operation list (CRUD-style verb). */
	name: string;
	action: string;
	description: string;
	/** Parameters, without displayOptions for resource/operation (the router adds them). */
	properties: INodeProperties[];
	/** Reads and checks the item's parameters; throws ClientValidationError naming the field. */
	build(this: IExecuteFunctions, itemIndex: number, context: BuildContext): SokuRequest;
	/**
	 * Parameters that may be computed from the clock ($now, $today), by parameter path, with where their
	 * value lands in the body: their expression source, not their value, names the request (never twice).
	 */
	timeRelative?: Readonly<Record<string, readonly string[]>>;
	/** Output items' json for a successful response (default: the response object itself). */
	toJson?(this: IExecuteFunctions, body: unknown, itemIndex: number, request: SokuRequest, outcome: ItemOutcome): IDataObject[];
}
