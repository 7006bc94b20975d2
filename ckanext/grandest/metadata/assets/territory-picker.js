/* grandest_metadata: territory picker of the dataset form.
 *
 * Enhances a text field of comma-separated territory keys (commune:67482, epci:246700488, departement:67,
 * region:44) into an autocomplete over the referential (GET /grandest/territoires?q=...). Chosen territories
 * are kept as hidden inputs named like the field; a new dataset is prefilled with the territory of the
 * organization selected in #field-organizations.
 */
this.ckan.module('grandest-territory-picker', function ($) {
  return {
    options: {
      source: null,
      field: 'territories',
      prefill: true,
      organizationSource: null,
      placeholder: '',
      removeLabel: 'Remove',
      noResult: 'No result'
    },

    initialize: function () {
      $.proxyAll(this, /_on/);
      var el = this.el;
      this.chosen = el.find('.grandest-territories-chosen');
      this.input = el.find('input[type=text]');
      this.autoKey = null;       // key added from the organization, replaced if the organization changes
      this.timer = null;
      this.request = null;
      this.active = -1;
      this.items = [];

      // the text field becomes a search box; chosen territories are hidden inputs
      var typed = (this.input.val() || '').split(',').map(function (s) { return $.trim(s); })
        .filter(function (s) { return s; });
      var known = {};
      this.chosen.children('li').each(function () { known[$(this).data('key')] = true; });
      this.input.attr('name', null).val('').attr('placeholder', this.options.placeholder)
        .attr({role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false'});
      var self = this;
      this.chosen.children('li').each(function () { self._decorate($(this)); });
      typed.forEach(function (key) { if (!known[key]) { self._add(key, key); } });

      var listId = 'grandest-territories-results-' + this.options.field;
      this.results = $('<ul class="grandest-territories-results" role="listbox"></ul>')
        .attr('id', listId).hide().insertAfter(this.input);
      this.input.attr('aria-controls', listId);

      this.input.on('input', this._onInput);
      this.input.on('keydown', this._onKeydown);
      this.input.on('blur', this._onBlur);
      this.results.on('mousedown', 'li[data-key]', this._onPick);
      this.chosen.on('click', 'button', this._onRemove);

      var org = $('#field-organizations');
      if (org.length) {
        org.on('change', this._onOrganization);
        if (this.options.prefill && this.options.prefill !== 'false' && !this._keys().length) {
          this._onOrganization();
        }
      }
    },

    _keys: function () {
      return this.chosen.children('li').map(function () { return $(this).data('key'); }).get();
    },

    _decorate: function (li) {
      var key = li.data('key');
      li.append($('<input type="hidden">').attr('name', this.options.field).val(key));
      li.append($('<button type="button">&times;</button>')
        .attr('aria-label', this.options.removeLabel + ' ' + (li.data('label') || key)));
    },

    _add: function (key, label) {
      if (this._keys().indexOf(key) !== -1) { return; }
      var li = $('<li class="grandest-territory"></li>').attr('data-key', key).attr('data-label', label);
      li.data('key', key).data('label', label);
      li.append($('<span class="grandest-territory-label"></span>').text(label));
      this._decorate(li);
      this.chosen.append(li);
    },

    _onRemove: function (event) {
      var li = $(event.currentTarget).closest('li');
      if (li.data('key') === this.autoKey) { this.autoKey = null; }
      li.remove();
      this.input.focus();
    },

    _onOrganization: function () {
      var org = $('#field-organizations').val();
      if (!org || !this.options.organizationSource) { return; }
      var url = this.options.organizationSource.replace(/ID$/, encodeURIComponent(org));
      $.getJSON(url, this._onOrganizationTerritory);
    },

    _onOrganizationTerritory: function (territory) {
      var keys = this._keys();
      if (this.autoKey && keys.length === 1 && keys[0] === this.autoKey) {
        this.chosen.empty();
        this.autoKey = null;
        keys = [];
      }
      if (territory && territory.key && !keys.length) {
        this._add(territory.key, territory.label);
        this.autoKey = territory.key;
      }
    },

    _onInput: function () {
      var q = $.trim(this.input.val());
      clearTimeout(this.timer);
      if (!q) { this._close(); return; }
      this.timer = setTimeout(this._onSearch, 150);
    },

    _onSearch: function () {
      var q = $.trim(this.input.val());
      if (this.request) { this.request.abort(); }
      this.request = $.getJSON(this.options.source, {q: q}, this._onResults);
    },

    _onResults: function (data) {
      this.items = (data && data.results) || [];
      this.active = this.items.length ? 0 : -1;
      this._render();
    },

    _render: function () {
      var self = this;
      this.results.empty();
      if (!this.items.length) {
        this.results.append($('<li class="grandest-empty"></li>').text(this.options.noResult));
      }
      this.items.forEach(function (item, i) {
        $('<li role="option"></li>').attr('id', self.results.attr('id') + '-' + i)
          .attr('data-key', item.key).attr('aria-selected', i === self.active ? 'true' : 'false')
          .text(item.label).data('item', item).appendTo(self.results);
      });
      this.results.show();
      this.input.attr('aria-expanded', 'true');
      if (this.active >= 0) {
        this.input.attr('aria-activedescendant', this.results.attr('id') + '-' + this.active);
      }
    },

    _close: function () {
      this.results.hide().empty();
      this.items = [];
      this.active = -1;
      this.input.attr('aria-expanded', 'false').removeAttr('aria-activedescendant');
    },

    _choose: function (item) {
      this._add(item.key, item.label);
      this.input.val('');
      this._close();
      this.input.focus();
    },

    _onPick: function (event) {
      event.preventDefault();
      this._choose($(event.currentTarget).data('item'));
    },

    _onBlur: function () {
      var self = this;
      setTimeout(function () { self._close(); }, 150);
    },

    _onKeydown: function (event) {
      if (event.key === 'Enter') {
        // never submit the dataset form from the search box
        event.preventDefault();
        if (this.active >= 0 && this.items[this.active]) { this._choose(this.items[this.active]); }
        return;
      }
      if (!this.items.length) { return; }
      if (event.key === 'ArrowDown') {
        event.preventDefault();
        this.active = (this.active + 1) % this.items.length;
        this._render();
      } else if (event.key === 'ArrowUp') {
        event.preventDefault();
        this.active = (this.active - 1 + this.items.length) % this.items.length;
        this._render();
      } else if (event.key === 'Escape') {
        this._close();
      }
    }
  };
});
