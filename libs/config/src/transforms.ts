import { Transform } from 'class-transformer';
import ms, { StringValue } from 'ms';

/** `a,b , c` → ['a', 'b', 'c']; empty items dropped. */
export const CommaList = (): PropertyDecorator =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0)
      : value,
  );

export const ToInt = (): PropertyDecorator =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

/** Accepts true/false/1/0/yes/no; anything else is left as-is so validation names it. */
export const ToBool = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const normalized = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off'].includes(normalized)) return false;
    return value;
  });

/**
 * A duration in whole seconds: `90`, `90s`, `30m`, `6h`, `7d` (the `ms` notation; a bare number
 * is seconds). Anything else is left as-is so validation names the variable.
 */
export const ToSeconds = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (/^\d+$/.test(text)) return Number(text);
    const milliseconds = /^\d+(\.\d+)?\s*[a-z]+$/i.test(text) ? ms(text as StringValue) : undefined;
    return milliseconds === undefined || !Number.isFinite(milliseconds) ? value : Math.round(milliseconds / 1000);
  });
