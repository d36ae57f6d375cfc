// The `phoenix` package ships no type declarations, and @types/phoenix describes
// the 1.6 client. These cover the part of the 1.8 client the worker uses.
declare module 'phoenix' {
  export type PushStatus = 'ok' | 'error' | 'timeout';

  export class Push {
    receive(status: PushStatus, callback: (response: unknown) => void): this;
  }

  export class Channel {
    readonly topic: string;
    join(timeout?: number): Push;
    leave(timeout?: number): Push;
    push(event: string, payload: object, timeout?: number): Push;
    on(event: string, callback: (payload: unknown) => void): number;
    onError(callback: (reason?: unknown) => void): number;
    onClose(callback: (payload?: unknown) => void): void;
  }

  export interface SocketOptions {
    transport?: unknown;
    params?: Record<string, unknown> | (() => Record<string, unknown>);
    /** Default timeout of pushes and joins, in ms. */
    timeout?: number;
    heartbeatIntervalMs?: number;
    reconnectAfterMs?: (tries: number) => number;
    rejoinAfterMs?: (tries: number) => number;
  }

  export interface CloseEvent {
    code?: number;
    reason?: string;
  }

  export class Socket {
    constructor(endPoint: string, options?: SocketOptions);
    connect(): void;
    disconnect(callback?: () => void, code?: number, reason?: string): void;
    channel(topic: string, params?: object): Channel;
    isConnected(): boolean;
    onOpen(callback: () => void): string;
    onClose(callback: (event: CloseEvent) => void): string;
    onError(callback: (error: unknown) => void): string;
  }
}
