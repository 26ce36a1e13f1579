import { beforeAll, inject } from 'vitest';

// Each integration file starts from an empty moto account.
beforeAll(async () => {
  const endpoint = inject('motoEndpoint');
  if (endpoint === null) return;
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
});
