// missing-timeout on Go, shaped after real code: API clients with a client struct built in a
// constructor (go-github, go-openai), SSE streaming over bufio.Reader (go-openai's stream reader),
// handler tests with httptest recorders and servers, proxies that write a request to a conn.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fixAt, lines } from './support';

const R = 'missing-timeout';
const go = (...body: string[]): string => ['package api', '', 'import (', '\t"bufio"', '\t"context"', '\t"net/http"', '\t"net/http/httptest"', '\t"time"', ')', '', ...body, ''].join('\n');

describe('missing-timeout (Go): requests that are never sent', () => {
  it('does not flag http.NewRequest handed to a recorder, a handler or http.ReadResponse', async () => {
    const src = go(
      'func serveOnce(h http.Handler, conn net.Conn, u string) (*http.Response, error) {',
      '\treq, err := http.NewRequest(http.MethodGet, "/healthz", nil)',
      '\tif err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\trec := httptest.NewRecorder()',
      '\th.ServeHTTP(rec, req)',
      '\tout, _ := http.NewRequest("GET", u, nil)',
      '\tif err := out.Write(conn); err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\treturn http.ReadResponse(bufio.NewReader(conn), out)',
      '}',
    );
    assert.deepEqual(await lines('internal/probe/probe.go', src, R), []);
  });

  it("does not flag requests to a local httptest server, by http.Get, the default client or the server's client", async () => {
    const src = go(
      'func TestOrders(t *testing.T) {',
      '\tsrv := httptest.NewServer(http.HandlerFunc(ordersHandler))',
      '\tdefer srv.Close()',
      '\tresp, err := http.Get(srv.URL + "/orders")',
      '\treq, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", nil)',
      '\tresp, err = http.DefaultClient.Do(req)',
      '\tresp, err = srv.Client().Do(req)',
      '\t_, _ = resp, err',
      '}',
    );
    assert.deepEqual(await lines('api/orders_test.go', src, R), []);
  });

  it('does not flag requests to a test server made by a helper or held in a suite field', async () => {
    const src = go(
      'type suite struct{ server *httptest.Server }',
      '',
      'func (s *suite) TestGet(t *testing.T) {',
      '	srv := ts.OpenAITestServer()',
      '	srv.Start()',
      '	client := &http.Client{Transport: &tokenRoundTripper{token: "t"}}',
      '	resp, err := client.Get(srv.URL + "/v1/models")',
      '	req, _ := http.NewRequest(http.MethodGet, s.server.URL+"/v1/files", nil)',
      '	resp, err = http.DefaultClient.Do(req)',
      '	_, _ = resp, err',
      '}',
    );
    assert.deepEqual(await lines('internal/test/server_test.go', src, R), []);
  });

  it('does not flag a request sent by a client it cannot see configured (a mock, a parameter)', async () => {
    const src = go(
      'type Doer interface{ Do(*http.Request) (*http.Response, error) }',
      '',
      'func fetch(c Doer, u string) error {',
      '\treq, err := http.NewRequest("GET", u, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = c.Do(req)',
      '\treturn err',
      '}',
    );
    assert.deepEqual(await lines('api/fetch.go', src, R), []);
  });

  it('does not flag a client whose Transport is a stub made from a func literal', async () => {
    const src = go(
      'type roundTripFunc func(*http.Request) (*http.Response, error)',
      '',
      'func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }',
      '',
      'func stubClient() *http.Client {',
      '\treturn &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {',
      '\t\treturn &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil',
      '\t})}',
      '}',
    );
    assert.deepEqual(await lines('api/stub.go', src, R), []);
  });
});

describe('missing-timeout (Go): a deadline that exists elsewhere', () => {
  it('does not flag a request sent by a client whose struct field gets a Timeout in its constructor', async () => {
    const src = go(
      'type Client struct {',
      '\tbaseURL    string',
      '\thttpClient *http.Client',
      '}',
      '',
      'func NewClient(baseURL string) *Client {',
      '\treturn &Client{baseURL: baseURL, httpClient: &http.Client{Timeout: 30 * time.Second}}',
      '}',
      '',
      'func (c *Client) GetUser(id string) (*http.Response, error) {',
      '\treq, err := http.NewRequest(http.MethodGet, c.baseURL+"/users/"+id, nil)',
      '\tif err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\treturn c.httpClient.Do(req)',
      '}',
    );
    assert.deepEqual(await lines('client/users.go', src, R), []);
  });

  it('does not flag a package-level or local client with a Timeout', async () => {
    const src = go(
      'var httpClient = &http.Client{Timeout: 10 * time.Second}',
      '',
      'func ping(u string) error {',
      '\treq, _ := http.NewRequest("HEAD", u, nil)',
      '\t_, err := httpClient.Do(req)',
      '\tc := &http.Client{Timeout: 5 * time.Second}',
      '\t_, err = c.Do(req)',
      '\t_, err = c.Get(u)',
      '\treturn err',
      '}',
    );
    assert.deepEqual(await lines('health/ping.go', src, R), []);
  });

  it('does not flag the default client when the context was derived with WithTimeout or WithDeadline in the function', async () => {
    const src = go(
      'func load(u string) error {',
      '\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)',
      '\tdefer cancel()',
      '\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = http.DefaultClient.Do(req)',
      '\treturn err',
      '}',
      '',
      'func loadBy(parent context.Context, u string, at time.Time) error {',
      '\tdctx, cancel := context.WithDeadline(parent, at)',
      '\tdefer cancel()',
      '\tvctx := context.WithValue(dctx, key{}, "v")',
      '\treq, _ := http.NewRequest(http.MethodGet, u, nil)',
      '\treq = req.WithContext(vctx)',
      '\t_, err := http.DefaultClient.Do(req)',
      '\treturn err',
      '}',
    );
    assert.deepEqual(await lines('sync/load.go', src, R), []);
  });

  it('does not flag a ctx parameter when every caller in the file passes a context with a timeout', async () => {
    const src = go(
      'type Watcher struct{ url string }',
      '',
      'func (w *Watcher) poll(ctx context.Context, url string) error {',
      '\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = http.DefaultClient.Do(req)',
      '\treturn err',
      '}',
      '',
      'func (w *Watcher) Run() error {',
      '\tctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)',
      '\tdefer cancel()',
      '\treturn w.poll(ctx, w.url)',
      '}',
    );
    assert.deepEqual(await lines('watch/watcher.go', src, R), []);
  });
});

describe('missing-timeout (Go): true positives kept', () => {
  it('flags the default client sending a request with a bare context, saying where and why', async () => {
    const src = go(
      'func notify(u string) error {',
      '\treq, err := http.NewRequestWithContext(context.Background(), http.MethodPost, u, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = http.DefaultClient.Do(req)',
      '\treturn err',
      '}',
    );
    const [f, ...rest] = await findings('notify/notify.go', src, R);
    assert.equal(rest.length, 0);
    assert.equal(f?.line, 16);
    assert.equal(f?.message, 'no deadline on the request sent by http.DefaultClient.Do: http.DefaultClient has no Timeout and its context is context.Background(), with no deadline');
  });

  it('flags the default client sending a request built by http.NewRequest, with a fix that gives it a context with timeout', async () => {
    const src = go('func notify(u string) error {', '\treq, err := http.NewRequest(http.MethodPost, u, nil)', '\tif err != nil {', '\t\treturn err', '\t}', '\t_, err = http.DefaultClient.Do(req)', '\treturn err', '}');
    const [f] = await findings('notify/notify.go', src, R);
    assert.match(f?.message ?? '', /^no deadline on the request sent by http\.DefaultClient\.Do: http\.DefaultClient has no Timeout and the request is built by http\.NewRequest, which gives it no context$/);
    const fixed = await fixAt('notify/notify.go', src, R, 16);
    assert.match(fixed, /ctx, cancel := context\.WithTimeout\(context\.Background\(\), 10 \* time\.Second\)\n\tdefer cancel\(\)\n\treq, err := http\.NewRequestWithContext\(ctx, http\.MethodPost, u, nil\)/);
  });

  it('flags a ctx parameter when a caller in the file passes context.Background()', async () => {
    const src = go(
      'func post(ctx context.Context, u string) error {',
      '\treq, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)',
      '\t_, err := http.DefaultClient.Do(req)',
      '\treturn err',
      '}',
      '',
      'func main() {',
      '\t_ = post(context.Background(), "http://example.com")',
      '}',
    );
    const [f] = await findings('cmd/main.go', src, R);
    assert.equal(f?.line, 13);
    assert.match(f?.message ?? '', /its context ctx comes from the call of post in main, where the context is context\.Background\(\), with no deadline/);
  });

  it('flags a ctx parameter that no caller in the file gives a deadline, saying so', async () => {
    const src = go(
      'func (u *Updater) checkForUpdate(ctx context.Context, url string) bool {',
      '\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)',
      '\tif err != nil {',
      '\t\treturn false',
      '\t}',
      '\tresp, err := http.DefaultClient.Do(req)',
      '\treturn err == nil && resp.StatusCode == http.StatusOK',
      '}',
    );
    const [f] = await findings('app/updater/updater.go', src, R);
    assert.equal(f?.line, 16);
    assert.match(f?.message ?? '', /its context ctx comes from the callers of checkForUpdate, and none in this file gives it a deadline$/);
  });

  it("flags a client field set to http.DefaultClient in the constructor, following ctx through the file's callers", async () => {
    const src = go(
      'type Client struct {',
      '\tbase string',
      '\thttp *http.Client',
      '}',
      '',
      'func ClientFromEnvironment(base string) *Client {',
      '\treturn &Client{base: base, http: http.DefaultClient}',
      '}',
      '',
      'func (c *Client) do(ctx context.Context, path string) error {',
      '\tdctx, cancel := context.WithCancel(ctx)',
      '\tdefer cancel()',
      '\treq, err := http.NewRequestWithContext(dctx, http.MethodGet, c.base+path, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = c.http.Do(req)',
      '\treturn err',
      '}',
      '',
      'func (c *Client) List(ctx context.Context) error {',
      '\treturn c.do(ctx, "/api/tags")',
      '}',
    );
    // in a service's own package the chain is followed to the caller; in a library package (below) the
    // exported List hands the deadline to the library's user
    const [f, ...rest] = await findings('internal/api/client.go', src, R);
    assert.equal(rest.length, 0);
    assert.equal(f?.line, 27);
    assert.equal(
      f?.message,
      'no deadline on the request sent by c.http.Do: c.http is http.DefaultClient, which has no Timeout and its context ctx comes from the call of do in List, where the context ctx comes from the callers of List, and none in this file gives it a deadline',
    );
  });

  it('flags a local client without Timeout at the literal, naming the send that has no deadline', async () => {
    const src = go(
      'func upload(u string) error {',
      '\tclient := &http.Client{}',
      '\treq, err := http.NewRequest(http.MethodPut, u, nil)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\t_, err = client.Do(req)',
      '\treturn err',
      '}',
    );
    const [f, ...rest] = await findings('store/upload.go', src, R);
    assert.equal(rest.length, 0);
    assert.equal(f?.line, 12);
    assert.equal(f?.message, 'http.Client without Timeout, and the request sent by client.Do in upload has no deadline: the request is built by http.NewRequest, which gives it no context');
    assert.match(await fixAt('store/upload.go', src, R, 12), /client := &http\.Client\{Timeout: 10 \* time\.Second\}/);
  });

  it("flags http.Get and a transport round trip of a request built without a context, not a RoundTripper passing its caller's request on", async () => {
    const src = go(
      'type logging struct{ next http.RoundTripper }',
      '',
      'func (l logging) RoundTrip(req *http.Request) (*http.Response, error) {',
      '\tr := req.Clone(req.Context())',
      '\tr.Header.Set("User-Agent", "svc/1.0")',
      '\treturn l.next.RoundTrip(r)',
      '}',
      '',
      'func probe(u string) {',
      '\t_, _ = http.Get(u)',
      '\treq, _ := http.NewRequest("GET", u, nil)',
      '\t_, _ = http.DefaultTransport.RoundTrip(req)',
      '}',
    );
    const fs = await findings('probe/probe.go', src, R);
    assert.deepEqual(
      fs.map((f) => f.line),
      [20, 22],
    );
    assert.match(fs[0]!.message, /^no timeout on http\.Get: it sends with http\.DefaultClient/);
    assert.match(fs[1]!.message, /^no deadline on the request sent by http\.DefaultTransport\.RoundTrip: a transport has no overall timeout and the request is built by http\.NewRequest/);
  });
});

describe('missing-timeout (Go): handlers', () => {
  it("flags the default client sending with the incoming request's context (it ends when the caller hangs up, not after a time)", async () => {
    const src = go(
      'func proxy(w http.ResponseWriter, r *http.Request) {',
      '\treq, _ := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.Path, r.Body)',
      '\tresp, err := http.DefaultClient.Do(req)',
      '\tif err != nil {',
      '\t\thttp.Error(w, err.Error(), http.StatusBadGateway)',
      '\t\treturn',
      '\t}',
      '\tdefer resp.Body.Close()',
      '}',
    );
    const [f] = await findings('gateway/proxy.go', src, R);
    assert.equal(f?.line, 13);
    assert.match(f?.message ?? '', /its context r\.Context\(\) \(the incoming request's\) has no deadline$/);
  });
});

describe('missing-timeout (Go): long-lived streams', () => {
  it('suggests a per-request deadline, not a client Timeout, for a client that streams responses', async () => {
    const src = go(
      'var streamClient = &http.Client{}',
      '',
      'type Stream struct{ reader *bufio.Reader }',
      '',
      'func (c *Client) CreateStream(body io.Reader) (*Stream, error) {',
      '\treq, err := http.NewRequest(http.MethodPost, c.url+"/chat/completions", body)',
      '\tif err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\treq.Header.Set("Accept", "text/event-stream")',
      '\tresp, err := streamClient.Do(req)',
      '\tif err != nil {',
      '\t\treturn nil, err',
      '\t}',
      '\treturn &Stream{reader: bufio.NewReader(resp.Body)}, nil',
      '}',
    );
    const [f, ...rest] = await findings('openai/stream.go', src, R);
    assert.equal(rest.length, 0);
    assert.equal(f?.line, 11);
    assert.match(
      f?.message ?? '',
      /^http\.Client without Timeout streams responses \(streamClient\.Do in CreateStream\) and the request is built by http\.NewRequest, which gives it no context: give each request a deadline with context\.WithTimeout \(a client Timeout would cut the stream\)$/,
    );
    assert.equal(f?.fix, undefined);
  });

  it('adds the same advice to a default-client finding whose response is scanned line by line', async () => {
    const src = go(
      'func tail(u string) error {',
      '\treq, _ := http.NewRequestWithContext(context.TODO(), "GET", u, nil)',
      '\tresp, err := http.DefaultClient.Do(req)',
      '\tif err != nil {',
      '\t\treturn err',
      '\t}',
      '\tsc := bufio.NewScanner(resp.Body)',
      '\tfor sc.Scan() {',
      '\t}',
      '\treturn sc.Err()',
      '}',
    );
    const [f] = await findings('logs/tail.go', src, R);
    assert.match(f?.message ?? '', /the response is streamed: give the request a deadline with context\.WithTimeout rather than a client Timeout/);
  });
});

describe('missing-timeout (Go): a library leaves the deadline to its user', () => {
  // shaped after resty.New / github.NewClientWithEnvProxy and go-github's BareDo: the library hands its
  // default client to the user (who sets a timeout through its API) and sends with the user's ctx
  const lib = [
    'type Client struct{ hc *http.Client }',
    '',
    'func New() *Client {',
    '\treturn newClient(&http.Client{Transport: http.DefaultTransport})',
    '}',
    '',
    'func (t *BasicAuth) Client() *http.Client {',
    '\treturn &http.Client{Transport: t}',
    '}',
    '',
    'func (c *Client) BareDo(ctx context.Context, u string) (*http.Response, error) {',
    '\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)',
    '\tif err != nil {',
    '\t\treturn nil, err',
    '\t}',
    '\treturn http.DefaultClient.Do(req)',
    '}',
  ];

  it("does not flag an exported constructor handing on its client, or a send with the exported API's ctx, in a library package", async () => {
    assert.deepEqual(await lines('client.go', go(...lib), R), []);
  });

  it("flags the same code in a service's own package (internal/, cmd/, package main)", async () => {
    const flagged = await lines('internal/gh/client.go', go(...lib), R);
    assert.deepEqual(flagged, [14, 18, 26]);
    const main = go(...lib).replace('package api', 'package main');
    assert.deepEqual(await lines('client.go', main, R), [14, 18, 26]);
  });
});
