/**
 * The stand-in in its own process (for the memory benchmark, so its state and recorded requests do not
 * count in the heap being measured). Started with fork(); options as JSON in argv[2]. Messages:
 * in  { cmd: 'reset' } | { cmd: 'close' }      out { url } once listening, { ok: cmd } after each command.
 */
import { standIn } from './standIn';

async function main(): Promise<void> {
	const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof standIn.startStandIn>[0];
	const s = await standIn.startStandIn(options);
	const close = async () => {
		await s.close();
		process.exit(0);
	};
	process.on('message', (message: { cmd?: string }) => {
		if (message.cmd === 'reset') {
			s.reset();
			process.send?.({ ok: 'reset' });
		} else if (message.cmd === 'close') {
			void close();
		}
	});
	// The parent went away: do not linger.
	process.on('disconnect', () => void close());
	process.send?.({ url: s.url });
}
void main();
