import { ApiError } from '@vulnscan/service-runtime';
import { InvalidCursorError } from '@vulnscan/persistence';
import { invalidCursorAsApiError } from './invalid-cursor.interceptor';

describe('invalidCursorAsApiError', () => {
  it('answers 400 invalid_cursor naming the cursor field', () => {
    const answer = invalidCursorAsApiError(new InvalidCursorError());
    expect(answer).toBeInstanceOf(ApiError);
    expect(answer).toMatchObject({
      statusCode: 400,
      code: 'invalid_cursor',
      detail: 'cursor is not one this API issued',
      extra: { fields: ['cursor'] },
    });
  });

  it('passes other errors through unchanged', () => {
    const other = new Error('boom');
    expect(invalidCursorAsApiError(other)).toBe(other);
  });
});
