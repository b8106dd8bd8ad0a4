import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api/client';

/** Exchanges an API key or token for a session cookie; the token is sent once and not kept. */
export function useTokenSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => request<void>('POST', '/auth/token', { token }),
    // Everything read before belonged to nobody: start again as the person now signed in.
    onSuccess: () => client.clear(),
  });
}

export function usePasswordSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { login: string; password: string }) => request<void>('POST', '/auth/password', body),
    onSuccess: () => client.clear(),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => request<void>('POST', '/auth/logout'),
    onSettled: () => client.clear(),
  });
}
