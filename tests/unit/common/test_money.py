"""flocx_common.money: exact decimals in JSON, and where they cannot be."""

import datetime
import decimal
import json

import testtools

from flocx_common import money
from flocx_common import rpc

D = decimal.Decimal


class MoneyTest(testtools.TestCase):

    def test_places(self):
        for value in ('1', '1.5', '0.000001', '2.1000000000', '0E-12',
                      '1E+9', '999999999.999999'):
            self.assertTrue(money.has_places(D(value)), value)
        for value in ('0.0000001', '1.0000001', '1E-7', '2.1000000001'):
            self.assertFalse(money.has_places(D(value)), value)
        self.assertTrue(money.has_places(D('0.01'), places=2))
        self.assertFalse(money.has_places(D('0.015'), places=2))

    def test_text_is_positional_and_exact(self):
        for value, text in (('1.50', '1.5'), ('1E+2', '100.0'),
                            ('1E-6', '0.000001'), ('7', '7.0'),
                            ('123456789012.345678', '123456789012.345678')):
            self.assertEqual(text, money.text(D(value)))

    def test_dumps_writes_the_digits(self):
        body = money.dumps({'price': D('12345678901.234567'),
                            'at': datetime.datetime(2030, 1, 2, 3, 4, 5)})
        self.assertEqual(b'{"price":12345678901.234567,'
                         b'"at":"2030-01-02T03:04:05+00:00"}', body)
        # Read back with Decimals, it is the same amount.
        self.assertEqual(D('12345678901.234567'),
                         json.loads(body, parse_float=D)['price'])

    def test_dumps_refuses_what_is_not_a_number(self):
        for value in (D('NaN'), D('Infinity'), object()):
            self.assertRaises(TypeError, money.dumps, [value])

    def test_the_bus_gets_numbers(self):
        # oslo.messaging's JSON would write a Decimal as a string.
        entity = {'offer': {'price': D('2.125'), 'nodes': [D('1.5'), 3]},
                  'kind': 'offer'}
        sent = rpc.ContextSerializer().serialize_entity(None, entity)
        self.assertEqual({'offer': {'price': 2.125, 'nodes': [1.5, 3]},
                          'kind': 'offer'}, sent)
        self.assertIsInstance(sent['offer']['price'], float)
