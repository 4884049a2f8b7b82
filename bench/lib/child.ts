import { fork, type ChildProcess } from 'child_process';

/** fork() a compiled bench script and wait for the first message matching `predicate`. */
export function waitForMessage<T>(child: ChildProcess, predicate: (m: unknown) => m is T, timeoutMs = 60_000): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => finish(new Error(`no message from child ${child.pid} in ${timeoutMs} ms`)), timeoutMs);
		const onMessage = (m: unknown) => {
			if (predicate(m)) finish(undefined, m);
		};
		const onExit = (code: number | null) => finish(new Error(`child ${child.pid} exited (${code}) before answering`));
		function finish(error?: Error, value?: T) {
			clearTimeout(timer);
			child.off('message', onMessage);
			child.off('exit', onExit);
			if (error) reject(error);
			else resolve(value as T);
		}
		child.on('message', onMessage);
		child.on('exit', onExit);
	});
}

export interface StandInProcess {
	url: string;
	reset(): Promise<void>;
	close(): Promise<void>;
}

export async function startStandInProcess(script: string, options: Record<string, unknown>): Promise<StandInProcess> {
	const child = fork(script, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const { url } = await waitForMessage(child, (m): m is { url: string } => typeof (m as { url?: unknown })?.url === 'string');
	return {
		url,
		reset: async () => {
			const answer = waitForMessage(child, (m): m is { ok: string } => (m as { ok?: unknown })?.ok === 'reset');
			child.send({ cmd: 'reset' });
			await answer;
		},
		close: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.send({ cmd: 'close' });
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		},
	};
}
