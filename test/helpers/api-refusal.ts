import OpenAI from 'openai';
import { expect } from 'vitest';

/** The SDK error a call was refused with; fails the test when the call succeeded or failed some other way. */
export async function refusal(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}
