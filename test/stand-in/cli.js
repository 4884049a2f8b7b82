#!/usr/bin/env node
'use strict';
/**
 * Starts the Soku stand-in with the default seed.
 *
 *   node test/stand-in/cli.js [--port 4010] [--host 127.0.0.1] [--window-ms N]
 *                             [--fractional-retry-after] [--reset-format unix|iso]
 *                             [--no-rate-limits] [--verbose]
 *
 * Prints one line `soku-stand-in listening on http://HOST:PORT` to stdout; with --verbose,
 * one line per request (`METHOD path → status`) to stderr, API keys masked.
 */
const { startStandIn, maskSecrets } = require('./soku-stand-in');

function usage(code) {
	const text =
		'usage: node test/stand-in/cli.js [--port N] [--host H] [--window-ms N] ' +
		'[--fractional-retry-after] [--reset-format unix|iso] [--no-rate-limits] [--verbose]\n';
	(code ? process.stderr : process.stdout).write(text);
	process.exit(code);
}

function parseArgs(argv) {
	const opts = { port: 0, host: '127.0.0.1', verbose: false, rateLimits: {} };
	for (let i = 0; i < argv.length; i++) {
		let arg = argv[i];
		let value;
		const eq = arg.indexOf('=');
		if (arg.startsWith('--') && eq > 0) {
			value = arg.slice(eq + 1);
			arg = arg.slice(0, eq);
		}
		const next = () => {
			if (value !== undefined) return value;
			if (i + 1 >= argv.length) usage(2);
			return argv[++i];
		};
		const int = (v) => {
			const n = Number(v);
			if (!Number.isInteger(n) || n < 0) usage(2);
			return n;
		};
		switch (arg) {
			case '--port':
			case '-p':
				opts.port = int(next());
				break;
			case '--host':
				opts.host = next();
				break;
			case '--window-ms':
				opts.rateLimits.windowMs = int(next());
				if (opts.rateLimits.windowMs === 0) usage(2);
				break;
			case '--fractional-retry-after':
				opts.rateLimits.fractionalRetryAfter = true;
				break;
			case '--reset-format':
				opts.rateLimits.resetFormat = next() === 'iso' ? 'iso' : 'unix';
				break;
			case '--no-rate-limits':
				opts.rateLimits.enabled = false;
				break;
			case '--verbose':
			case '-v':
				opts.verbose = true;
				break;
			case '--help':
			case '-h':
				usage(0);
				break;
			default:
				process.stderr.write(`unknown argument: ${maskSecrets(arg)}\n`);
				usage(2);
		}
	}
	return opts;
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	const standIn = await startStandIn({
		port: opts.port,
		host: opts.host,
		rateLimits: opts.rateLimits,
		logger: opts.verbose ? (line) => process.stderr.write(`${maskSecrets(line)}\n`) : undefined,
	});
	process.stdout.write(`soku-stand-in listening on ${standIn.url}\n`);

	let stopping = false;
	const stop = (signal) => {
		if (stopping) return;
		stopping = true;
		if (opts.verbose) process.stderr.write(`soku-stand-in: ${signal}, shutting down\n`);
		standIn.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
	process.stderr.write(`soku-stand-in failed to start: ${maskSecrets(e && e.message ? e.message : e)}\n`);
	process.exit(1);
});
