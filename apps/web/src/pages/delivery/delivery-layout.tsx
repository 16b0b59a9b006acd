/** The Delivery section: rollouts, the approvals inbox and notifications, each its own page under one sub-navigation. */
import { NavLink, Outlet } from 'react-router';

const pages = [
  { to: '/delivery', label: 'Rollouts', end: true },
  { to: '/delivery/approvals', label: 'Approvals', end: false },
  { to: '/delivery/notifications', label: 'Notifications', end: false },
];

export function DeliveryLayout() {
  return (
    <>
      <nav aria-label="Delivery" className="subnav">
        {pages.map((page) => (
          <NavLink key={page.to} to={page.to} end={page.end}>
            {page.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
