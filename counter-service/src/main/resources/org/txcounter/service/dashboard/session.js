'use strict';

/*
 * The signed-in user of this browser tab: the bearer token from /management/login, the user's name and role.
 * Kept in sessionStorage, so it ends with the tab and is never sent anywhere but in the Authorization header.
 */
window.TxSession = (function () {
  const KEY = 'txcounter.session';

  function read() {
    try {
      const value = JSON.parse(window.sessionStorage.getItem(KEY));
      return value && typeof value.token === 'string' ? value : null;
    } catch (e) {
      return null;
    }
  }

  function save(session) {
    window.sessionStorage.setItem(KEY, JSON.stringify(session));
  }

  function clear() {
    window.sessionStorage.removeItem(KEY);
  }

  /* The message of the API's error envelope, or a sentence naming the status when the body is not one. */
  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) {
        return body.error.message;
      }
    } catch (e) {
      // Not JSON: fall through to the status.
    }
    return 'The service answered HTTP ' + response.status + '.';
  }

  /*
   * A request to the API. credentials: 'omit' keeps the browser out of it: no cookies, and no login dialog of its
   * own when the API answers 401 with a Basic challenge.
   */
  function request(path, authorization) {
    return fetch(path, {
      headers: { Authorization: authorization },
      credentials: 'omit',
      cache: 'no-store'
    });
  }

  return { read: read, save: save, clear: clear, errorMessage: errorMessage, request: request };
}());
