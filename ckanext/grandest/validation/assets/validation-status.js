/* grandest_validation: the state of a file's check updates on its own while the check runs.
 *
 * On an element whose check is waiting or running (data-module="grandest-validation-status"), polls the
 * status action (data-module-url: grandest_resource_score_show) every few seconds. When the state changes,
 * the part of the page that shows it ([data-grandest-refresh]) is replaced by the same part of the page
 * rendered again by the server (status, badge, in the visitor's language); when the check is over, the
 * result is announced to screen readers through the live region ([data-grandest-live]) and polling stops.
 *
 * The same module watches a whole dataset (its page): data-module-url is then grandest_dataset_score_show, whose
 * result lists the dataset's resources; the state is every resource's status ("id:status,..."), the check is
 * over when none is waiting or running, and each part marked [data-grandest-refresh="<key>"] (the dataset's
 * badges, each resource's badges) is replaced by the part of the same key. What is announced is the text of the
 * parts marked [data-grandest-said] (the dataset's data badge), else the status and score of the first part.
 */
this.ckan.module('grandest-validation-status', function ($) {
  var ACTIVE = ['pending', 'running'];
  return {
    options: {
      url: null,
      status: null,
      interval: 2000,
      maxInterval: 10000,
      timeout: 900000,
      done: 'Check finished:'
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.status = this.options.status;
      this.delay = this.options.interval;
      this.started = Date.now();
      this.live = this.el.find('[data-grandest-live]');
      this._schedule();
    },

    _schedule: function () {
      if (Date.now() - this.started > this.options.timeout) { return; }
      window.setTimeout(this._onTick, this.delay);
      this.delay = Math.min(this.options.maxInterval, Math.round(this.delay * 1.3));
    },

    _onTick: function () {
      $.ajax({url: this.options.url, dataType: 'json', cache: false})
        .done(this._onStatus)
        .fail(this._onRetry);
    },

    _onRetry: function () { this._schedule(); },

    _state: function (result) {
      if (!result) { return {key: null, finished: false}; }
      if ($.isArray(result.resources)) {
        var keys = [], active = false;
        $.each(result.resources, function (i, res) {
          keys.push(res.resource_id + ':' + (res.status || ''));
          if (ACTIVE.indexOf(res.status) !== -1) { active = true; }
        });
        return {key: keys.join(','), finished: !active};
      }
      return {key: result.status, finished: ACTIVE.indexOf(result.status) === -1};
    },

    _onStatus: function (body) {
      var state = this._state(body && body.result);
      if (state.key === null || state.key === this.status) { this._schedule(); return; }
      this.status = state.key;
      var finished = state.finished;
      $.ajax({url: window.location.href, dataType: 'html', cache: false})
        .done(finished ? this._onFinished : this._onProgress)
        .fail(this._onRetry);
    },

    _replace: function (html) {
      var fresh = $('<div>').append($.parseHTML(html)).find('#' + this.el.attr('id') + ' [data-grandest-refresh]');
      this.el.find('[data-grandest-refresh]').each(function () {
        var key = $(this).attr('data-grandest-refresh') || '';
        var match = fresh.filter(function () { return ($(this).attr('data-grandest-refresh') || '') === key; });
        if (match.length) { $(this).replaceWith(match.first()); }
      });
      return this.el.find('[data-grandest-refresh]');
    },

    _onProgress: function (html) {
      this._replace(html);
      this._schedule();
    },

    _onFinished: function (html) {
      var part = this._replace(html);
      var marked = this.el.find('[data-grandest-said]');
      var said = marked.length ? $.trim(marked.first().text()) :
        $.trim(part.find('.grandest-status').first().text()) + '. ' + $.trim(part.find('.grandest-score').first().text());
      this.live.text(this.options.done + ' ' + said.replace(/\s+/g, ' '));
      this.el.attr('data-grandest-checked', 'true');
    }
  };
});
