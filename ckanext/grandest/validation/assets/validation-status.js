/* grandest_validation: the state of a file's check updates on its own while the check runs.
 *
 * On an element whose check is waiting or running (data-module="grandest-validation-status"), polls the
 * status action (data-module-url: grandest_resource_score_show) every few seconds. When the state changes,
 * the part of the page that shows it ([data-grandest-refresh]) is replaced by the same part of the page
 * rendered again by the server (status, badge, in the visitor's language); when the check is over, the
 * result is announced to screen readers through the live region ([data-grandest-live]) and polling stops.
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

    _onStatus: function (body) {
      var status = body && body.result ? body.result.status : null;
      if (status === this.status) { this._schedule(); return; }
      this.status = status;
      var finished = ACTIVE.indexOf(status) === -1;
      $.ajax({url: window.location.href, dataType: 'html', cache: false})
        .done(finished ? this._onFinished : this._onProgress)
        .fail(this._onRetry);
    },

    _replace: function (html) {
      var fresh = $('<div>').append($.parseHTML(html)).find('#' + this.el.attr('id') + ' [data-grandest-refresh]');
      var current = this.el.find('[data-grandest-refresh]');
      if (fresh.length && current.length) {
        current.replaceWith(fresh.first());
      }
      return this.el.find('[data-grandest-refresh]');
    },

    _onProgress: function (html) {
      this._replace(html);
      this._schedule();
    },

    _onFinished: function (html) {
      var part = this._replace(html);
      var said = $.trim(part.find('.grandest-status').first().text()) + '. ' +
        $.trim(part.find('.grandest-score').first().text());
      this.live.text(this.options.done + ' ' + said.replace(/\s+/g, ' '));
      this.el.attr('data-grandest-checked', 'true');
    }
  };
});
