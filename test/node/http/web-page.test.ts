/**
 * The catalogue in a browser, in real Chromium (Debian's, driven by playwright-core; no browser
 * is ever downloaded): search, facets, an entry with its chain and versions, a revoked entry,
 * SPARQL and the network page, by keyboard where a person would. Screenshots go to
 * out/screenshots/.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { chromium, type Browser, type Page } from 'playwright-core'
import {
  createDidResolver, createTrustPolicy, didOf, generateIssuerKey, payloadOfVerifiedJws, signCredential, signRevocation
} from '../../../protocols/self-description/index.ts'
import { generateJws } from '../../../simulations/generator.ts'
import { createGaiaxIssuer, createIntermediateCa, createRootCa, startDidWebHost, type DidWebHost, type GaiaxIssuer } from '../../fixtures/gaia-x-issuer.ts'
import { post, startTestNode, type TestNode } from '../../fixtures/node.ts'
import { legalPerson2511, serviceOffering } from '../../fixtures/subjects.ts'
import { signLabel } from '../../fixtures/compliance.ts'

/** Debian's Chromium, or the one GXCAT_CHROMIUM names */
const CHROMIUM = process.env.GXCAT_CHROMIUM ?? '/usr/bin/chromium'
/** .ci/run sets it: there a missing browser fails the run rather than skipping these tests */
const REQUIRED = process.env.GXCAT_REQUIRE_BROWSER === '1'
const SCREENSHOTS = new URL('../../../out/screenshots/', import.meta.url)

describe('the catalogue in a browser', function () {
  this.timeout(120_000)
  let web: DidWebHost
  let notary: GaiaxIssuer
  let t: TestNode
  let browser: Browser
  let page: Page
  const key = generateIssuerKey()
  const clearingHouse = generateIssuerKey()
  const problems: string[] = []

  const shot = async (name: string): Promise<void> => { await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true }) }
  const open = async (hash: string): Promise<void> => { await page.goto(`${t.url}/${hash}`) }

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), or name another with GXCAT_CHROMIUM`
      if (REQUIRED) throw new Error(`${why}; GXCAT_REQUIRE_BROWSER=1 makes the browser tests required`)
      console.log(`      skipped: the browser tests (${why}; GXCAT_REQUIRE_BROWSER=1 makes them required, as .ci/run does)`)
      this.skip()
    }
    await mkdir(SCREENSHOTS, { recursive: true })
    web = await startDidWebHost()
    const root = await createRootCa('Web Page Trust Anchor')
    notary = await createGaiaxIssuer(web, { alg: 'ES256', name: 'web-page', chain: [await createIntermediateCa('Web Page Notary', root), root] })
    const generated = await generateJws(40, { seed: 11 })
    const trusted = [...new Set(generated.map(jws => String(payloadOfVerifiedJws(jws).issuer))), didOf(key.kid), didOf(clearingHouse.kid)]
    t = await startTestNode({ node: { resolver: createDidResolver({ originOverrides: [web.override] }), trust: createTrustPolicy({ mode: 'anchors', anchors: [root.pem], issuers: trusted }), complianceIssuers: [didOf(clearingHouse.kid)] } })
    const publish = async (jws: string): Promise<void> => {
      const r = await post(`${t.url}/v1/self-descriptions`, jws)
      assert.ok(r.status === 201, JSON.stringify(r.body))
    }
    for (const jws of generated) await publish(jws)
    const offering = (id: string, name: string): Record<string, unknown> => ({ ...serviceOffering(id), 'schema:name': name, 'gx:keyword': ['storage', 'lighthouse'] })
    await publish(await signCredential(offering('https://provider.example/services/versioned', 'Lighthouse storage'), key, { validFrom: '2026-01-01T00:00:00Z' }))
    const current = await signCredential(offering('https://provider.example/services/versioned', 'Lighthouse storage v2'), key, { validFrom: '2026-02-01T00:00:00Z' })
    await publish(current)
    await publish(await signLabel(clearingHouse, { level: 'L1', covers: [{ jws: current }] }))
    await publish(await signCredential(offering('https://provider.example/services/retired', 'Retired lighthouse'), key, { validFrom: '2026-01-01T00:00:00Z' }))
    assert.equal((await post(`${t.url}/v1/revocations`, await signRevocation('https://provider.example/services/retired', key, { reason: 'service closed' }), 'text/plain')).status, 201)
    await publish(await notary.issue(legalPerson2511('https://chain.provider.example/lp')))
    // the Lighthouse issuer's own LegalPerson: its name is shown beside its DID
    await publish(await signCredential({ ...legalPerson2511('https://beacon.example/legal-person'), 'schema:name': 'Beacon Services GmbH' }, key, { vocabulary: '2511' }))

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.on('pageerror', err => { problems.push(err.message) })
    // answers of 400 and above are faults, but for the SPARQL update refused on purpose
    page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/v1/sparql')) problems.push(`${response.status()} ${response.url()}`) })
    page.on('console', message => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text()) })
  })

  after(async () => {
    await browser?.close()
    await t?.destroy()
    await web?.close()
    assert.deepEqual(problems, [], 'the page logged no errors')
  })

  it('searches by words, narrows by a facet by keyboard, and pages', async () => {
    await open('')
    await page.getByRole('heading', { name: 'Search the catalogue' }).waitFor()
    await page.getByText(/^Entries 1–20$/).waitFor()
    assert.equal(await page.locator('.result').count(), 20)
    await page.getByRole('button', { name: 'Next page' }).click()
    await page.getByText(/^Entries 21–/).waitFor()

    await page.getByLabel('Words').fill('lighthouse')
    await page.keyboard.press('Enter')
    await page.getByRole('link', { name: 'Lighthouse storage v2' }).waitFor()
    assert.equal(await page.locator('.result').count(), 1, 'the revoked entry is not listed by default')
    // the facets count within the search, and the issuer is shown by its name
    await page.getByText('1 current entry matches').waitFor()
    const types = page.getByRole('region', { name: 'Type' })
    assert.deepEqual((await types.getByRole('button').allInnerTexts()).map(t => t.replace(/\s+/g, ' ')), ['gx:ServiceOffering 1'])
    assert.match(await page.getByRole('region', { name: 'Issuer' }).getByRole('button').innerText(), /^Beacon Services GmbH\s+1$/)
    assert.match(await page.locator('.result .meta').innerText(), new RegExp(`Beacon Services GmbH ${didOf(key.kid)}`))
    assert.match(page.url(), /#\/\?q=lighthouse$/, 'the search is in the address')
    await shot('search-facets-follow')

    await page.getByLabel('Words').fill('')
    await page.keyboard.press('Enter')
    await page.getByText(/^\d+ entries$/).waitFor()
    const facet = page.getByRole('button', { name: /^gx:ServiceOffering/ })
    await facet.focus()
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.querySelector('button[aria-pressed="true"]') != null)
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.result .meta')).every(m => m.textContent?.startsWith('gx:ServiceOffering')))
    assert.equal(await facet.getAttribute('aria-pressed'), 'true')
    await shot('search-facet')
  })

  it('shows more of a facet on demand', async () => {
    await open('')
    const keywords = page.getByRole('region', { name: 'Keyword' })
    await keywords.getByRole('button').first().waitFor()
    const shown = await keywords.locator('.facet-value').count()
    assert.equal(shown, 12)
    const more = keywords.getByRole('button', { name: /^Show \d+ more$/ })
    const hidden = Number((await more.innerText()).match(/\d+/)?.[0])
    await more.click()
    assert.equal(await keywords.locator('.facet-value').count(), shown + hidden)
    assert.equal(await keywords.getByRole('button', { name: 'Show fewer' }).getAttribute('aria-expanded'), 'true')
  })

  it('opens an entry: claims, versions and the raw JWS', async () => {
    await open('')
    await page.getByLabel('Words').fill('lighthouse storage')
    await page.keyboard.press('Enter')
    await page.getByRole('link', { name: 'Lighthouse storage v2' }).click()
    await page.getByRole('heading', { level: 1, name: /Lighthouse storage v2/ }).waitFor()
    const versions = page.locator('.versions li')
    assert.equal(await versions.count(), 2)
    assert.match(await versions.nth(0).innerText(), /2026-02-01.*active/s)
    assert.match(await versions.nth(1).innerText(), /2026-01-01.*superseded/s)
    assert.match(await page.locator('.claims').first().innerText(), /schema:name\s+Lighthouse storage v2/)
    await page.getByText('Raw JWS').click()
    assert.match(await page.locator('.raw pre').innerText(), /^eyJ/)
    await shot('entry-versions')
    assert.match(await page.locator('dl.summary').innerText(), new RegExp(`Issuer\\s+Beacon Services GmbH ${didOf(key.kid)}`))
    await shot('entry-issuer-name')
    await versions.nth(1).getByRole('link').click()
    await page.getByRole('heading', { level: 1, name: /Lighthouse storage superseded/ }).waitFor()
    // back to the search it came from, words and results as they were
    await page.getByRole('link', { name: '← Back to results' }).click()
    await page.getByRole('link', { name: 'Lighthouse storage v2' }).waitFor()
    assert.equal(await page.getByLabel('Words').inputValue(), 'lighthouse storage')
  })

  it('narrows to compliant entries by the label facet, with a badge, and says which label counts on the entry', async () => {
    await open('')
    const facet = page.getByRole('region', { name: /Gaia-X compliance/ })
    await facet.getByRole('button', { name: /L1\s+1/ }).click()
    await page.getByRole('status').filter({ hasText: 'Entries 1–1' }).waitFor()
    const result = page.locator('.result')
    assert.match(await result.innerText(), /Lighthouse storage v2.*Gaia-X L1/s)
    await shot('search-compliant')
    await result.getByRole('link').click()
    await page.getByRole('heading', { level: 1, name: /Lighthouse storage v2/ }).waitFor()
    assert.match(await page.locator('dl.summary').innerText(), new RegExp(`Gaia-X compliance\\s+label L1 by ${didOf(clearingHouse.kid)} \\(rules CD25.03\\)`))
    await page.getByRole('link', { name: 'the label credential' }).click()
    await page.getByRole('heading', { level: 1 }).filter({ hasText: /labels/ }).waitFor()
  })

  it('shows the certificate chain and the trust anchor that admitted it', async () => {
    await open(`#/entry/${encodeURIComponent(notary.did)}/${encodeURIComponent('https://chain.provider.example/lp')}`)
    await page.getByRole('heading', { level: 1, name: /Provider GmbH/ }).waitFor()
    const subjects = await page.locator('table.chain tbody tr td:first-child').allInnerTexts()
    assert.deepEqual(subjects, [`CN=web-page.${web.host}`, 'CN=Web Page Notary', 'CN=Web Page Trust Anchor'])
    assert.match(await page.locator('.verdict').innerText(), /trust anchor CN=Web Page Trust Anchor/)
    await shot('entry-chain')
  })

  it('marks a revoked entry, with who revoked it and why', async () => {
    await open('')
    await page.getByLabel('include superseded and revoked versions').check()
    assert.equal(await page.getByLabel('Words').isDisabled(), true)
    await page.getByRole('button', { name: /^gx:ServiceOffering/ }).click()
    const result = page.locator('.result', { hasText: 'Retired lighthouse' })
    await result.waitFor()
    assert.equal(await result.locator('.status').innerText(), 'revoked')
    await result.getByRole('link').click()
    const notice = page.locator('.revoked')
    await notice.waitFor()
    assert.match(await notice.innerText(), new RegExp(`Revoked on \\d{4}-\\d{2}-\\d{2} by ${didOf(key.kid)}: service closed`))
    await shot('entry-revoked')
  })

  it('runs a SPARQL query and shows the results as a table', async () => {
    await open('#/sparql')
    await page.getByLabel('Example').selectOption('Service offerings and their providers')
    await page.getByRole('button', { name: 'Run query' }).click()
    await page.locator('table.sparql-results').waitFor()
    assert.deepEqual(await page.locator('table.sparql-results thead th').allInnerTexts(), ['service', 'name', 'provider'])
    // every service offering, of either vocabulary: as many as the type filter finds
    const offerings = (await (await fetch(`${t.url}/v1/facets?type=gx:ServiceOffering`)).json()).entries
    assert.ok(offerings >= 2 && offerings <= 50)
    assert.equal(await page.locator('table.sparql-results tbody tr').count(), offerings)
    await page.getByLabel(/^Query/).fill('DELETE WHERE { ?s ?p ?o }')
    await page.getByRole('button', { name: 'Run query' }).click()
    await page.getByText(/^ReadOnlyQueryError:/).waitFor()
    await page.getByLabel(/^Query/).fill('SELECT ?s WHERE {\n  ?s a foo:Offering\n}')
    await page.getByRole('button', { name: 'Run query' }).click()
    const alert = page.getByRole('alert')
    await alert.filter({ hasText: 'Prefix not found' }).waitFor()
    assert.match(await alert.innerText(), /^InvalidQueryError: Prefix not found: foo \(line 2, column 8, in "foo:Offering"\); declare it with PREFIX foo: <…>/)
    await shot('sparql')
  })

  it('is served under a Content-Security-Policy of its own origin, and serves only its own files', async () => {
    const index = await fetch(`${t.url}/`)
    assert.match(index.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
    assert.match(await index.text(), /<script type="importmap">\{"imports":\{"preact":"\/ui\/vendor\/preact\.mjs"/)
    assert.equal((await fetch(`${t.url}/ui/vendor/preact.mjs`)).headers.get('content-type'), 'text/javascript; charset=utf-8')
    for (const path of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/nothing.js']) assert.equal((await fetch(`${t.url}${path}`)).status, 404, path)
  })

  it('shows the network page, and every form control has a label', async () => {
    await open('#/network')
    await page.getByText(/\d+ active, 1 revoked/).waitFor()
    await page.getByText('No peer connected.').waitFor()
    await page.getByRole('definition').filter({ hasText: /^ready$/ }).waitFor()
    await page.getByRole('definition').filter({ hasText: /^unknown \(this node runs no network\): no DHT$/ }).waitFor()
    const chart = page.getByRole('img', { name: /^Entries from \d+ to \d+ over the last minute$/ })
    await chart.waitFor()
    // axes with their units and values, and each sample's value on hover
    assert.deepEqual(await chart.locator('.axis-title').allTextContents(), ['time (this browser\'s clock)', 'entries'])
    assert.ok(await chart.locator('.tick').count() >= 4)
    assert.match(await chart.locator('circle title').first().textContent() ?? '', /^\d{2}:\d{2}:\d{2}: \d+ entries$/)
    await chart.locator('circle').last().hover()
    assert.match(await chart.locator('.readout').textContent() ?? '', /^\d{2}:\d{2}:\d{2}: \d+ entries$/)
    await shot('network')
    for (const hash of ['', '#/sparql', '#/network']) {
      await open(hash)
      await page.locator('h1').waitFor()
      const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(c => (c as HTMLInputElement).labels?.length === 0 && c.getAttribute('aria-label') == null).map(c => c.outerHTML))
      assert.deepEqual(unlabelled, [], hash)
    }
  })
})
