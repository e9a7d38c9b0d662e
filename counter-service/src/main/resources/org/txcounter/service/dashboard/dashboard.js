'use strict';

/*
 * The dashboard page. Everything it shows comes from the management API, with the bearer token of the signed-in
 * user; it has no data of its own. Without a session, or once the API refuses the token, it goes to the login page.
 */
(function () {
  const session = TxSession.read();
  if (!session) {
    window.location.replace('/dashboard/login.html');
    return;
  }

  const REFRESH_MS = 60000;
  const COLOURS = {
    HTTP: ['rgba(31, 78, 121, 0.9)', 'rgba(31, 78, 121, 0.35)'],
    JMS: ['rgba(214, 112, 28, 0.9)', 'rgba(214, 112, 28, 0.35)']
  };
  const SPARE_COLOURS = ['#1f4e79', '#d6701c', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#546e7a'];
  const numbers = new Intl.NumberFormat(undefined);
  const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
  const charts = {};
  let monthlyStack = 'transport';
  let lastReport = null;
  let zone = 'UTC';

  function $(id) {
    return document.getElementById(id);
  }

  function signOut() {
    TxSession.clear();
    window.location.replace('/dashboard/login.html');
  }

  /* GET a JSON resource of the API; a refused token ends the session. */
  async function get(path) {
    const response = await TxSession.request(path, 'Bearer ' + session.token);
    if (response.status === 401) {
      signOut();
      throw new Error('The session has ended.');
    }
    if (!response.ok) {
      throw new Error(path.split('?')[0] + ': ' + await TxSession.errorMessage(response));
    }
    return response;
  }

  async function getJson(path) {
    return (await get(path)).json();
  }

  function formatTime(iso) {
    if (!iso) {
      return '–';
    }
    return new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })
      .format(new Date(iso));
  }

  function formatDuration(ms) {
    const minutes = Math.max(0, Math.round(ms / 60000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const rest = minutes % 60;
    const parts = [];
    if (days) { parts.push(days + ' d'); }
    if (hours) { parts.push(hours + ' h'); }
    if (rest || parts.length === 0) { parts.push(rest + ' min'); }
    return parts.join(' ');
  }

  function monthOf(year, month) {
    return year + '-' + String(month).padStart(2, '0');
  }

  function addMonths(year, month, delta) {
    const index = year * 12 + (month - 1) + delta;
    return { year: Math.floor(index / 12), month: (index % 12) + 1 };
  }

  function colour(name, index, faded) {
    const pair = COLOURS[name];
    if (pair) {
      return pair[faded ? 1 : 0];
    }
    return SPARE_COLOURS[index % SPARE_COLOURS.length];
  }

  function text(element, value) {
    element.textContent = value;
    return element;
  }

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = value;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function draw(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update('none');
      return;
    }
    charts[id] = new Chart($(id), config);
  }

  function barOptions() {
    return {
      type: 'bar',
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: function (item) {
            return item.dataset.label + ': ' + numbers.format(item.parsed.y);
          } } }
        },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { callback: function (value) {
            return numbers.format(value);
          } } }
        }
      }
    };
  }

  function renderSummary(count) {
    const unflushed = count.unflushed ? count.unflushed.total : 0;
    const total = count.total + unflushed;
    text($('month-total'), numbers.format(total));
    text($('month-heading'), 'This month so far: ' + monthOf(count.year, count.month));
    text($('month-detail'), numbers.format(count.total) + ' written by ' + numbers.format(count.nodes)
      + (count.nodes === 1 ? ' node' : ' nodes') + '; ' + numbers.format(unflushed)
      + ' counted on this node and written at the next interval.');
    const pairs = $('month-by-transport');
    pairs.replaceChildren();
    const transports = Object.assign({}, count.byTransport, count.unflushed ? count.unflushed.byTransport : {});
    Object.keys(transports).forEach(function (transport) {
      const pending = count.unflushed ? (count.unflushed.byTransport[transport] || 0) : 0;
      pairs.appendChild(text(document.createElement('dt'), transport));
      pairs.appendChild(text(document.createElement('dd'), numbers.format((count.byTransport[transport] || 0) + pending)));
    });
  }

  function renderDaily(current, previous) {
    const transports = Object.keys(Object.assign({}, current.days[0].byTransport, previous.days[0].byTransport));
    const length = Math.max(current.days.length, previous.days.length);
    const labels = [];
    for (let day = 1; day <= length; day++) {
      labels.push(String(day));
    }
    const datasets = [];
    [[current, false], [previous, true]].forEach(function (entry) {
      const month = entry[0];
      transports.forEach(function (transport, index) {
        datasets.push({
          label: transport + ' ' + monthOf(month.year, month.month),
          stack: monthOf(month.year, month.month),
          backgroundColor: colour(transport, index, entry[1]),
          data: month.days.map(function (day) { return day.byTransport[transport] || 0; })
        });
      });
    });
    const config = barOptions();
    config.data = { labels: labels, datasets: datasets };
    draw('daily-chart', config);
  }

  function renderMonthly() {
    const report = lastReport;
    const labels = [];
    for (let m = addMonths(report.end.year, report.end.month, -11), i = 0; i < 12; i++) {
      labels.push(monthOf(m.year, m.month));
      m = addMonths(m.year, m.month, 1);
    }
    const key = monthlyStack === 'node' ? 'nodeId' : 'transport';
    const series = [];
    report.rows.forEach(function (row) {
      if (series.indexOf(row[key]) < 0) {
        series.push(row[key]);
      }
    });
    if (key === 'transport') {
      report.transports.forEach(function (transport) {
        if (series.indexOf(transport) < 0) {
          series.push(transport);
        }
      });
    }
    series.sort();
    const datasets = series.map(function (name, index) {
      const data = labels.map(function () { return 0; });
      report.rows.forEach(function (row) {
        if (row[key] === name) {
          data[labels.indexOf(row.month)] += row.count;
        }
      });
      return { label: name, stack: 'months', backgroundColor: colour(key === 'transport' ? name : '', index, false),
        data: data };
    });
    const config = barOptions();
    config.data = { labels: labels, datasets: datasets };
    draw('monthly-chart', config);
    $('monthly-by-transport').setAttribute('aria-pressed', String(monthlyStack === 'transport'));
    $('monthly-by-node').setAttribute('aria-pressed', String(monthlyStack === 'node'));
  }

  function renderNodes(nodes, count, report) {
    const thisMonth = monthOf(count.year, count.month);
    const perNode = {};
    report.rows.forEach(function (row) {
      if (row.month === thisMonth) {
        perNode[row.nodeId] = (perNode[row.nodeId] || 0) + row.count;
      }
    });
    const body = $('nodes').tBodies[0];
    body.replaceChildren();
    const now = Date.now();
    nodes.nodes.forEach(function (node) {
      const row = document.createElement('tr');
      row.dataset.node = node.nodeId;
      cell(row, node.nodeId);
      const state = cell(row, node.state);
      state.className = 'state ' + node.state;
      cell(row, formatTime(node.lastFlushAt));
      if (node.state === 'silent') {
        const since = node.lastIntervalEnd;
        cell(row, since ? 'none reported since ' + formatTime(since) + ' (' + formatDuration(now - Date.parse(since))
          + ')' : 'never reported');
      } else {
        cell(row, 'none');
      }
      const written = perNode[node.nodeId] || 0;
      cell(row, numbers.format(written), 'num');
      cell(row, count.total > 0 ? percent.format(written / count.total) : '–', 'num');
      body.appendChild(row);
    });
    text($('nodes-note'), 'A node is silent when it has not reported for ' + formatDuration(nodes.silentAfterSeconds
      * 1000) + '; its intervals since then are missing, not empty. Shares are of the written total.');
  }

  function renderLedger(last) {
    const findings = $('ledger-findings');
    findings.replaceChildren();
    if (!last.ran) {
      text($('ledger-status'), 'Not run since the service started.');
      text($('ledger-detail'), '');
    } else {
      const status = $('ledger-status');
      text(status, last.valid ? 'Intact: no finding.' : last.findings.length + ' finding(s).');
      status.className = last.valid ? 'ok' : 'error';
      text($('ledger-detail'), 'Checked ' + formatTime(last.checkedAt) + ' by ' + last.checkedBy + ' in '
        + numbers.format(last.durationMillis) + ' ms.');
      last.findings.forEach(function (finding) {
        findings.appendChild(text(document.createElement('li'), finding.kind + ' ' + finding.nodeId
          + (finding.seq === null ? '' : ' seq ' + finding.seq) + ': ' + finding.detail));
      });
    }
  }

  function renderAdminActions() {
    const actions = $('ledger-actions');
    if (!session.admin || actions.childElementCount > 0) {
      return;
    }
    const button = text(document.createElement('button'), 'Run the ledger check');
    button.id = 'ledger-run';
    button.type = 'button';
    button.addEventListener('click', async function () {
      button.disabled = true;
      text($('ledger-status'), 'Checking…');
      try {
        await getJson('/transaction/verify');
        renderLedger(await getJson('/transaction/verify/last'));
      } catch (e) {
        showError(e);
      } finally {
        button.disabled = false;
      }
    });
    actions.appendChild(button);
  }

  /* Fetches a file of the API with the token and hands it to the browser as a download. */
  async function download(path, fallbackName) {
    const error = $('download-error');
    error.hidden = true;
    try {
      const response = await get(path);
      const disposition = response.headers.get('Content-Disposition') || '';
      const match = /filename="([^"]+)"/.exec(disposition);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await response.blob());
      link.download = match ? match[1] : fallbackName;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    } catch (e) {
      text(error, e.message);
      error.hidden = false;
    }
  }

  function downloadReport(format) {
    const month = $('downloads-month').dataset.month;
    download('/transaction/report?start=' + month + '&end=' + month + '&format=' + format,
      'transactions-' + month + '.' + format);
  }

  function renderQuota(quota, forecast) {
    const bar = $('quota-bar');
    if (quota.quota === null) {
      text($('quota-used'), numbers.format(quota.used) + ' used; no licence quota is configured ([licence] '
        + 'monthly_quota).');
      bar.style.width = '0';
    } else {
      text($('quota-used'), numbers.format(quota.used) + ' of ' + numbers.format(quota.quota) + ' ('
        + percent.format(quota.usedRatio) + ' of the quota)');
      bar.style.width = Math.min(100, quota.usedRatio * 100).toFixed(1) + '%';
      bar.className = quota.usedRatio >= 1 ? 'meter-fill over' : 'meter-fill';
    }
    text($('forecast'), 'Forecast for the month\'s end: ' + numbers.format(forecast.projectedTotal)
      + (quota.projectedRatio === null ? '' : ' (' + percent.format(quota.projectedRatio) + ' of the quota)'));
    text($('forecast-model'), 'As of ' + formatTime(forecast.asOf) + ', from ' + forecast.weekdaysObserved
      + ' weekday(s) and ' + forecast.weekendDaysObserved + ' weekend day(s) observed; model: ' + forecast.model
      + '.');
    const list = $('thresholds');
    list.replaceChildren();
    quota.thresholds.forEach(function (threshold) {
      const item = text(document.createElement('li'), threshold.percent + ' %: ' + (threshold.reached
        ? 'reached' + (threshold.alertRaisedAt ? ', alert raised ' + formatTime(threshold.alertRaisedAt) : '')
        : 'not reached'));
      item.dataset.percent = String(threshold.percent);
      item.className = threshold.reached ? 'reached' : '';
      list.appendChild(item);
    });
  }

  function describeOpen(status) {
    if (status.closed) {
      return status.month + ' is closed.';
    }
    const waiting = status.waitingFor.length ? ' Waiting for: ' + status.waitingFor.join('; ') + '.' : '';
    if (!status.ended) {
      return status.month + ' is open; it ends ' + formatTime(status.monthEnd) + ' and closes once every node has '
        + 'reported past its end, or at the latest ' + formatTime(status.graceEnds) + '.' + waiting;
    }
    return status.month + ' has ended and is not closed yet' + (status.readyToClose ? '; it is ready to close.'
      : '; it closes at the latest ' + formatTime(status.graceEnds) + '.') + waiting;
  }

  function renderStatements(list, open) {
    text($('open-month'), describeOpen(open));
    text($('previous-month'), list.previousMonth.closed ? '' : describeOpen(list.previousMonth));
    const body = $('statements').tBodies[0];
    body.replaceChildren();
    list.statements.slice().reverse().forEach(function (statement) {
      const row = document.createElement('tr');
      row.dataset.month = statement.month;
      cell(row, statement.month);
      cell(row, formatTime(statement.closedAt) + ' by ' + statement.closedBy);
      const actions = document.createElement('div');
      actions.className = 'actions';
      [['JSON', statement.json, 'json'], ['CSV', statement.csv, 'csv'], ['PDF', statement.pdf, 'pdf']]
        .forEach(function (entry) {
          const button = text(document.createElement('button'), entry[0]);
          button.type = 'button';
          button.className = 'secondary';
          button.dataset.format = entry[2];
          button.addEventListener('click', function () {
            download(entry[1], 'statement-' + statement.month + '.' + entry[2]);
          });
          actions.appendChild(button);
        });
      const td = document.createElement('td');
      td.appendChild(actions);
      row.appendChild(td);
      body.appendChild(row);
    });
    text($('statements-note'), list.statements.length === 0 ? 'No month is closed yet.'
      : 'Statements are signed with Ed25519 (public key fingerprint ' + list.publicKey + '); check one offline '
        + 'with java -jar txcounter.jar verify-statement FILE --public-key KEY.');
  }

  function showError(e) {
    const banner = $('page-error');
    text(banner, e.message);
    banner.hidden = false;
  }

  async function load() {
    const count = await getJson('/transaction/count');
    zone = count.timeZone;
    const previous = addMonths(count.year, count.month, -1);
    const first = addMonths(count.year, count.month, -11);
    const results = await Promise.all([
      getJson('/transaction/daily?year=' + count.year + '&month=' + count.month),
      getJson('/transaction/daily?year=' + previous.year + '&month=' + previous.month),
      getJson('/transaction/report?start=' + monthOf(first.year, first.month) + '&end='
        + monthOf(count.year, count.month)),
      getJson('/transaction/nodes'),
      getJson('/transaction/verify/last'),
      getJson('/transaction/quota'),
      getJson('/transaction/forecast'),
      getJson('/transaction/statements'),
      getJson('/transaction/close-status?month=' + monthOf(count.year, count.month))
    ]);
    lastReport = {
      end: { year: count.year, month: count.month },
      transports: Object.keys(count.byTransport),
      rows: results[2].rows
    };
    text($('zone'), 'Times in ' + zone);
    renderSummary(count);
    renderDaily(results[0], results[1]);
    renderMonthly();
    renderNodes(results[3], count, results[2]);
    renderLedger(results[4]);
    renderQuota(results[5], results[6]);
    renderStatements(results[7], results[8]);
    renderAdminActions();
    const downloads = $('downloads-month');
    downloads.dataset.month = monthOf(count.year, count.month);
    text(downloads, 'Transactions per node and transport for ' + monthOf(count.year, count.month) + ', so far.');
    $('page-error').hidden = true;
  }

  async function refresh() {
    try {
      await load();
      $('content').hidden = false;
      document.body.dataset.state = 'ready';
    } catch (e) {
      showError(e);
      document.body.dataset.state = 'failed';
    }
  }

  text($('who'), session.name + ' (' + session.role + ')');
  $('logout').addEventListener('click', async function () {
    try {
      await TxSession.request('/management/logout', 'Bearer ' + session.token);
    } finally {
      signOut();
    }
  });
  $('refresh').addEventListener('click', refresh);
  $('monthly-by-transport').addEventListener('click', function () {
    monthlyStack = 'transport';
    renderMonthly();
  });
  $('monthly-by-node').addEventListener('click', function () {
    monthlyStack = 'node';
    renderMonthly();
  });
  $('download-csv').addEventListener('click', function () { downloadReport('csv'); });
  $('download-json').addEventListener('click', function () { downloadReport('json'); });
  refresh();
  window.setInterval(refresh, REFRESH_MS);
}());
