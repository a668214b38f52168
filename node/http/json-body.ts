/**
 * How a node reads `application/json` bodies: checked for nesting before anything reads them, so
 * that a deeply nested body is a 400 NestingTooDeepError, not a stack overflow. A context that
 * reads the text itself (publishing: readSubmission) keeps it as text, read once.
 */
import { MAX_JSON_DEPTH } from '../../protocols/constants.ts'
import { assertJsonDepth } from '../../protocols/self-description/index.ts'
import { InvalidRequestError } from '../errors.ts'
import type { FastifyInstance } from 'fastify'

export function registerJsonBody (app: FastifyInstance, options: { asText?: boolean } = {}): void {
  if (app.hasContentTypeParser('application/json')) app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string
    try {
      assertJsonDepth(text, MAX_JSON_DEPTH, 'the body')
      done(null, options.asText === true ? text : text.trim() === '' ? undefined : JSON.parse(text))
    } catch (err: any) {
      done(err.name === 'NestingTooDeepError' ? err : new InvalidRequestError(`the body is not JSON: ${err.message}`), undefined)
    }
  })
}
