export function sorted(values: number[]): number[] {
	return [...values].sort((a, b) => a - b);
}

export function median(values: number[]): number {
	if (!values.length) return NaN;
	const s = sorted(values);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function quantile(values: number[], q: number): number {
	if (!values.length) return NaN;
	const s = sorted(values);
	const pos = (s.length - 1) * q;
	const lo = Math.floor(pos);
	const hi = Math.ceil(pos);
	return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const min = (values: number[]): number => Math.min(...values);
export const max = (values: number[]): number => Math.max(...values);
export const round = (value: number, digits = 3): number => {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
};

/** Least-squares slope of y over x = 0..n-1. */
export function slope(values: number[]): number {
	const n = values.length;
	if (n < 2) return 0;
	const xm = (n - 1) / 2;
	const ym = values.reduce((a, b) => a + b, 0) / n;
	let num = 0;
	let den = 0;
	values.forEach((y, x) => {
		num += (x - xm) * (y - ym);
		den += (x - xm) ** 2;
	});
	return num / den;
}
