import { afterEach, describe, expect, it } from 'vitest';
import { assertJava17 } from '../../../infra/local/dynamodb';

const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
});

describe('npm start and the tests without Java (README, Troubleshooting)', () => {
  it('say that Java 17 is needed for DynamoDB Local when `java` is not on PATH', () => {
    process.env.PATH = '/nonexistent';
    expect(() => assertJava17()).toThrow(
      'Java 17 or later is required to run DynamoDB Local, and `java` was not found on PATH.',
    );
  });
});
