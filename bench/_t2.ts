import { initBackend } from '../src/model/backend';
import { invertSpdInPlace } from '../src/evaluation/baselines/blocked-spd';
(async () => {
  await initBackend({ prefer: 'wasm' });
  const n = Number(process.argv[2] ?? 6000);
  let seed = 7; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const g = new Float32Array(n * n);
  for (let u = 0; u < 700; u++) { const s = new Set<number>(); while (s.size < 80) s.add(Math.floor(rnd() * rnd() * n)); const a = [...s]; for (const i of a) for (const j of a) g[i*n+j]++; }
  for (let i = 0; i < n; i++) g[i*n+i] += 100;
  for (const block of (process.argv[3] ?? '256,512,1024').split(',').map(Number)) {
    const f = Float32Array.from(g);
    const t = performance.now();
    invertSpdInPlace(f, n, { block });
    console.log((globalThis as any).tInv|0, (globalThis as any).tMm|0, n, block, ((performance.now() - t)/1000).toFixed(2), 's', f[0]);
  }
})();
