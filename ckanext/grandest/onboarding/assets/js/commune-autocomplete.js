/* Commune autocompletion over the territorial referential (grandest_onboarding).
 *
 * <div data-module="grandest-commune-autocomplete" data-module-source="/commune/inscription/recherche">
 *   <input name="commune_query"> <input type="hidden" name="insee_code"> <ul role="listbox"></ul>
 * </div>
 * Without JavaScript the server resolves the typed text (or offers a choice).
 */
this.ckan.module('grandest-commune-autocomplete', function ($) {
  return {
    options: { source: null, delay: 200 },

    initialize: function () {
      var el = this.el[0];
      this.input = el.querySelector('input[name="commune_query"]');
      this.code = el.querySelector('input[name="insee_code"]');
      this.list = el.querySelector('[role="listbox"]');
      this.items = [];
      this.active = -1;
      this.timer = null;
      this.seq = 0;
      if (!this.input || !this.code || !this.list || !this.options.source) { return; }
      var self = this;
      this.input.addEventListener('input', function () {
        self.code.value = '';
        clearTimeout(self.timer);
        self.timer = setTimeout(function () { self.fetch(); }, self.options.delay);
      });
      this.input.addEventListener('keydown', function (e) { self.keydown(e); });
      this.input.addEventListener('blur', function () { setTimeout(function () { self.close(); }, 150); });
      // text typed before this module started (CKAN starts modules once its translations are loaded)
      if (!this.code.value && this.input.value.trim().length >= 2 && document.activeElement === this.input) {
        this.fetch();
      }
    },

    fetch: function () {
      var self = this, q = this.input.value.trim(), seq = ++this.seq;
      if (q.length < 2) { this.close(); return; }
      fetch(this.options.source + '?q=' + encodeURIComponent(q), { headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (seq === self.seq) { self.show(items); } })
        .catch(function () { self.close(); });
    },

    show: function (items) {
      var self = this;
      this.items = items;
      this.active = -1;
      this.list.innerHTML = '';
      if (!items.length) { this.close(); return; }
      items.forEach(function (item, i) {
        var li = document.createElement('li');
        li.id = 'commune-option-' + item.code;
        li.setAttribute('role', 'option');
        li.className = 'grandest-suggestion';
        li.textContent = item.label;
        li.addEventListener('mousedown', function (e) { e.preventDefault(); self.pick(i); });
        self.list.appendChild(li);
      });
      this.list.hidden = false;
      this.input.setAttribute('aria-expanded', 'true');
    },

    close: function () {
      this.list.hidden = true;
      this.input.setAttribute('aria-expanded', 'false');
      this.input.removeAttribute('aria-activedescendant');
    },

    pick: function (i) {
      var item = this.items[i];
      if (!item) { return; }
      this.input.value = item.name;
      this.code.value = item.code;
      this.close();
    },

    keydown: function (e) {
      if (this.list.hidden || !this.items.length) { return; }
      var options = this.list.querySelectorAll('[role="option"]');
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
        options.forEach(function (o) { o.classList.remove('active'); o.setAttribute('aria-selected', 'false'); });
        options[this.active].classList.add('active');
        options[this.active].setAttribute('aria-selected', 'true');
        this.input.setAttribute('aria-activedescendant', options[this.active].id);
      } else if (e.key === 'Enter' && this.active >= 0) {
        e.preventDefault();
        this.pick(this.active);
      } else if (e.key === 'Escape') {
        this.close();
      }
    }
  };
});
