"""A device is not sent back what it pushed; its user's other devices and the coordinator's
decisions still reach it (sync.server.exchange.pull._not_echoed), through the real client."""


from app.store import Store
from tests.sync.live import Device, assert_converged


def test_a_push_is_not_pulled_back_by_the_device_that_made_it(tmp_path, live_server):
    laptop = Device.enrolled(tmp_path / "laptop", live_server, name="amina")
    laptop.write(30)
    report = laptop.sync()
    assert report.acknowledged == 30 and report.pulled == 0 and report.complete
    assert_converged(live_server, laptop)


def test_edits_flow_between_two_devices_of_one_person_but_not_back(tmp_path, live_server):
    laptop = Device.enrolled(tmp_path / "laptop", live_server, name="amina")
    drafts = laptop.write(3, submit_every=10)[1:]  # the first is submitted, the others drafts
    laptop.sync()
    phone = Device.enrolled(tmp_path / "phone", live_server, name="amina")
    assert phone.sync().pulled == 3
    with Store.open(phone.db_path) as store:
        store.save_draft(drafts[0], inputs="فون سے", targets="بہتر جواب")
    report = phone.sync()
    assert report.acknowledged == 1 and report.pulled == 0
    report = laptop.sync()
    assert report.pulled == 1
    with laptop.store() as store:
        assert store.submission(drafts[0]).inputs == "فون سے"
    assert_converged(live_server, laptop, phone)


def test_a_decision_reaches_the_authors_device(tmp_path, live_server):
    from sync.server.work import decisions

    amina = Device.enrolled(tmp_path / "amina", live_server)
    (item,) = amina.write(1, submit_every=1)
    assert amina.sync().pulled == 0
    decisions.decide(live_server.engine, item, "accepted")
    assert amina.sync().pulled == 1
    with amina.store() as store:
        assert store.submission(item).state == "accepted"
    assert_converged(live_server, amina)
