import { EventEmitter } from 'node:events';

type Listener<T> = (payload: T) => void;

/** EventEmitter with one payload per event name, checked at compile time. */
export class TypedEmitter<Events extends object> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // waitForAll over many runs adds one listener per run; that is not a leak.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(name: K, listener: Listener<Events[K]>): this {
    this.emitter.on(name, listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: Listener<Events[K]>): this {
    this.emitter.once(name, listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: Listener<Events[K]>): this {
    this.emitter.off(name, listener);
    return this;
  }

  emit<K extends keyof Events & string>(name: K, payload: Events[K]): void {
    this.emitter.emit(name, payload);
  }
}
