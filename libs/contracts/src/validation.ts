import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { MessageEnvelope } from './envelope';
import { isKnownWireName, MESSAGE_CONTRACTS, PayloadOf } from './message-map';
import { WireName } from './wire-names';

/** A message that can never be handled as it is: it goes to the dead-letter queue at once. */
export class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageError';
  }
}

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((text) => `${path}: ${text}`);
    return [...own, ...describe(error.children ?? [], path)];
  });
}

/**
 * Validates a plain object against a contract class and returns the typed instance. Unknown
 * fields are accepted (a newer producer may add fields during a rolling deploy).
 */
export function validateAs<T extends object>(cls: new () => T, plain: unknown, what: string): T {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw new InvalidMessageError(`${what}: expected an object`);
  }
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, { forbidUnknownValues: false, whitelist: false });
  if (errors.length > 0) {
    throw new InvalidMessageError(`${what}: ${describe(errors).join('; ')}`);
  }
  return instance;
}

/** Parses raw message bytes into a validated envelope whose payload matches `wireName`. */
export function parseMessage<N extends WireName>(wireName: N, body: Buffer | string): MessageEnvelope<PayloadOf<N>> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new InvalidMessageError(`${wireName}: body is not JSON`);
  }
  const envelope = validateAs(MessageEnvelope, raw, `${wireName} envelope`);
  const payload = validateAs(MESSAGE_CONTRACTS[wireName] as new () => PayloadOf<N>, envelope.payload, `${wireName} payload`);
  return Object.assign(envelope, { payload }) as MessageEnvelope<PayloadOf<N>>;
}

export function parseAnyMessage(wireName: string, body: Buffer | string): MessageEnvelope {
  if (!isKnownWireName(wireName)) {
    throw new InvalidMessageError(`unknown message type ${JSON.stringify(wireName)}`);
  }
  return parseMessage(wireName, body);
}
