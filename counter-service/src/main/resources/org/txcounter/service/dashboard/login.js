'use strict';

(function () {
  const form = document.getElementById('login-form');
  const error = document.getElementById('login-error');
  const submit = document.getElementById('login-submit');

  function basic(user, password) {
    const bytes = new TextEncoder().encode(user + ':' + password);
    let binary = '';
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return 'Basic ' + window.btoa(binary);
  }

  function show(message) {
    error.textContent = message;
    error.hidden = false;
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    error.hidden = true;
    const user = document.getElementById('user').value;
    const password = document.getElementById('password').value;
    if (!user || !password) {
      show('Enter your user name and password.');
      return;
    }
    submit.disabled = true;
    try {
      const login = await TxSession.request('/management/login', basic(user, password));
      if (!login.ok) {
        show(await TxSession.errorMessage(login));
        return;
      }
      const token = (await login.json()).AccessToken;
      const who = await TxSession.request('/user', 'Bearer ' + token);
      if (!who.ok) {
        show(await TxSession.errorMessage(who));
        return;
      }
      const me = await who.json();
      TxSession.save({ token: token, name: me.name, role: me.role, admin: me.admin === true });
      window.location.replace('/dashboard/');
    } catch (e) {
      show('The service cannot be reached: ' + e.message);
    } finally {
      submit.disabled = false;
    }
  });
}());
