import { inject } from 'vitest';

/** The endpoint of the run's moto_server, or null (integration tests then skip, loudly, once). */
export const motoEndpoint: string | null = inject('motoEndpoint');

/** Client config for a real AWS SDK v3 client talking to moto on 127.0.0.1. */
export function motoClientConfig(region = 'us-east-1') {
  if (motoEndpoint === null) throw new Error('moto_server is not running');
  return {
    endpoint: motoEndpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  } as const;
}
